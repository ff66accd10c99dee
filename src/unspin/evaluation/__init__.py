"""Evaluation against annotated corpora: the PAN PlagDet measure and the PAN XML formats."""

from .pan import PanRun, read_annotations, read_pairs, read_truth, run_pan, write_detections
from .plagdet import Annotation, Scores, plagdet

__all__ = [
    "Annotation",
    "PanRun",
    "Scores",
    "plagdet",
    "read_annotations",
    "read_pairs",
    "read_truth",
    "run_pan",
    "write_detections",
]
