"""``encore listen``: wake word -> end of speech -> transcript, on files and without a mic."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bench.voices import Voice, speak
from speaker.cli import main
from speaker.errors import ModelError

VOICE = Voice("en-gb", 150)


def _has_sound_device() -> bool:
    try:
        import sounddevice as sd

        return len(sd.query_devices()) > 0
    except Exception:
        return False


@pytest.mark.skipif(_has_sound_device(), reason="this machine has a sound device")
def test_listen_without_microphone_says_which_setting_to_fix(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["listen"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("encore: Cannot open the microphone")
    assert "audio.input_device" in err and "\n" not in err


def _request_file(tmp_path: Path) -> Path:
    silence = np.zeros(8000, np.float32)
    audio = np.concatenate([silence, speak("hey jarvis", VOICE), silence[:4000],
                            speak("play some music", VOICE), silence])
    path = tmp_path / "request.wav"
    sf.write(path, audio, 16000)
    return path


@pytest.mark.slow
def test_listen_on_a_file_prints_the_wake_word_and_the_request(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["listen", "--input", str(_request_file(tmp_path)), "--no-transcribe"]) == 0
    lines = capsys.readouterr().out.splitlines()
    wakes = [line for line in lines if "wake word hey_jarvis" in line]
    requests = [line for line in lines if "request of" in line]
    assert len(wakes) == 1 and len(requests) == 1, lines


@pytest.mark.slow
def test_listen_transcribes_the_request_after_the_wake_word(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from speaker.config import load
    from speaker.stt import Transcriber

    settings = load()
    try:
        Transcriber(settings.stt, settings.data.models_dir)
    except ModelError as exc:
        pytest.skip(f"Whisper model not installed ({exc}); run `encore models install`")
    assert main(["listen", "--input", str(_request_file(tmp_path))]) == 0
    requests = [line for line in capsys.readouterr().out.splitlines() if "request of" in line]
    assert len(requests) == 1
    assert "music" in requests[0].lower()
