"""Detection, one job per module: file format (``formats``), text encoding (``encoding``), where
undecodable bytes are (``decode_errors``), over-long lines (``lines``), the CSV delimiter
(``delimiter``). Every function raises ReaderError with the file's base name; none touches the
engine or store. The names readers use are re-exported here.
"""

from .decode_errors import ENCODING_HINT, decode_sample, describe_decode_error, find_decode_error, locate_decode_error
from .delimiter import DELIMITERS, check_delimiter, detect_delimiter
from .encoding import (
    BOMS,
    ENCODING_SAMPLE_BYTES,
    NOT_FILE_ENCODINGS,
    SAMPLE_BYTES,
    bom_encoding,
    check_encoding_name,
    detect_encoding,
    looks_binary,
    strip_bom,
)
from .formats import EMPTY_ZIP_MAGIC, EXTENSIONS, FORMATS, OLE2_MAGIC, ZIP_MAGIC, detect_format
from .lines import MAX_LINE_BYTES, check_line_lengths

__all__ = [
    "BOMS",
    "DELIMITERS",
    "EMPTY_ZIP_MAGIC",
    "ENCODING_HINT",
    "ENCODING_SAMPLE_BYTES",
    "EXTENSIONS",
    "FORMATS",
    "MAX_LINE_BYTES",
    "NOT_FILE_ENCODINGS",
    "OLE2_MAGIC",
    "SAMPLE_BYTES",
    "ZIP_MAGIC",
    "bom_encoding",
    "check_delimiter",
    "check_encoding_name",
    "check_line_lengths",
    "decode_sample",
    "describe_decode_error",
    "detect_delimiter",
    "detect_encoding",
    "detect_format",
    "find_decode_error",
    "locate_decode_error",
    "looks_binary",
    "strip_bom",
]
