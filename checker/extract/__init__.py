"""Page → claims: every use of the 上海标准 words or mark, with the standard and context it is tied to."""

from checker.extract.extractor import extract_page
from checker.extract.models import Claim, PageClaims
from checker.extract.patterns import EXTRACTOR_VERSION

__all__ = ["EXTRACTOR_VERSION", "Claim", "PageClaims", "extract_page"]
