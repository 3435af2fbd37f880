"""The face engine: detection, quality, liveness, encoding and 1:N matching (dlib, 5-point model)."""
