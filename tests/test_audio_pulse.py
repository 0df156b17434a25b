"""The real sounddevice path, end to end, through a private PulseAudio server.

The test starts its own ``pulseaudio`` with a null sink and a source remapped
from that sink's monitor, plays a tone through :class:`SpeakerSink` and records
it back through :class:`MicrophoneSource`. PortAudio lists devices when it is
initialised, so the audio side runs in a child process that sees PULSE_SERVER
from the start (through ALSA's "pulse" plugin, package libasound2-plugins).
The server itself is the ``pulse_server`` fixture in conftest.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.pulse

TONE_HZ = 1000.0

_CHILD = r"""
import json, threading, numpy as np
from speaker.audio import RATE_HZ
from speaker.devices import MicrophoneSource, SpeakerSink
mic = MicrophoneSource("pulse")
frames = []
def record():
    for f in mic.frames():
        frames.append(f)
        if len(frames) >= 40:
            break
th = threading.Thread(target=record)
th.start()
with SpeakerSink("pulse", rate_hz=22050, block_ms=40) as speaker:
    t = np.arange(22050 * 4) / 22050
    tone = (0.5 * np.sin(2 * np.pi * %(hz)f * t)).astype(np.float32)
    for i in range(0, len(tone), 882):
        speaker.write(tone[i:i + 882])
        if not th.is_alive():
            break
th.join(20)
mic.close()
x = np.concatenate([f.samples for f in frames]).astype(np.float64)[-RATE_HZ:]
spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
print(json.dumps({"frames": len(frames), "peak_hz": float(np.argmax(spectrum) * RATE_HZ / len(x)),
                  "rms": float(np.sqrt(np.mean(x ** 2)) / 32768),
                  "times": [f.t_s for f in frames[:3]], "mic_rate_hz": mic.native_rate_hz}))
"""


def test_tone_played_through_speaker_sink_is_recorded_back_by_microphone_source(
        pulse_server: dict[str, str]) -> None:
    root = Path(__file__).resolve().parents[1]
    env = {**pulse_server, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", _CHILD % {"hz": TONE_HZ}], env=env, cwd=root,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["frames"] == 40
    assert result["times"] == pytest.approx([0.0, 0.08, 0.16])
    assert result["rms"] > 0.05, "the recording is silent: the tone never reached the source"
    assert result["peak_hz"] == pytest.approx(TONE_HZ, abs=5.0)
