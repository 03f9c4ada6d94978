"""The benchmark: signed SubmitDynamicImageJob against a bare FastAPI route on the same server (``python -m bench``)."""
