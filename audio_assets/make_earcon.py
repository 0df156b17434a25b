"""Write audio_assets/earcon.wav from speaker.earcon.chime.

Run from the repository root: ``python audio_assets/make_earcon.py``.
"""

from __future__ import annotations

import soundfile as sf

from speaker.earcon import EARCON_PATH, chime

RATE_HZ = 22050


def main() -> int:
    sf.write(str(EARCON_PATH), chime(RATE_HZ), RATE_HZ, subtype="PCM_16")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
