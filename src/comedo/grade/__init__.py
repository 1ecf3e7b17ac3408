"""Severity: the clinical scales (Hayashi, IGA, NICE), the count-to-grade model and grading from lesions."""
