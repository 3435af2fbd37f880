"""siap-kiosk: the daemon core (config, store, face engine, recognition pipeline, rules, CLI)."""

import os

# One BLAS thread, set before anything imports numpy: the face encoder's matrix products are small,
# and OpenBLAS's extra threads spin while they wait, which made an encoding cost 19-24 ms of CPU
# instead of 13 ms here, for 3 ms less wall time; under a CPU quota or on a Pi's busy cores that CPU is
# taken from the door. A value set in the environment (e.g. the systemd unit) still wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
