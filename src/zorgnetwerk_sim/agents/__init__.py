"""The Mesa agents: Gemeente, Aanbieder, Expertteam and Jongere."""

from .aanbieder import Aanbieder
from .expertteam import Expertteam
from .gemeente import Gemeente
from .jongere import Jongere

__all__ = ["Aanbieder", "Expertteam", "Gemeente", "Jongere"]
