"""The mel-spectrogram wake network's numpy inference and file format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bench.train_wake_mel import to_mel_net, torch_net
from speaker.errors import ModelError
from speaker.wake_mel import MEL_BANDS, MelNet, save_mel_net


def _random_net(frames: int = 40) -> tuple[Any, MelNet]:
    import torch

    torch.manual_seed(3)
    net = torch_net(frames)
    net.eval()
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return net, to_mel_net(net, frames, mean=1.5, scale=0.7)


def test_numpy_inference_matches_the_torch_network_it_was_exported_from() -> None:
    import torch

    net, mel_net = _random_net()
    windows = np.random.default_rng(0).uniform(0, 4, (5, 40, MEL_BANDS)).astype(np.float32)
    with torch.no_grad():
        expected = torch.sigmoid(net(torch.from_numpy((windows - 1.5) * 0.7))).numpy()
    np.testing.assert_allclose(mel_net.score(windows), expected, rtol=1e-4, atol=1e-5)


def test_saved_network_loads_back_with_the_same_scores(tmp_path: Path) -> None:
    _, mel_net = _random_net()
    path = tmp_path / "net.npz"
    digest = save_mel_net(path, mel_net)
    assert len(digest) == 64
    loaded = MelNet.load(path, check_sha256=False)
    windows = np.random.default_rng(1).uniform(0, 4, (3, 40, MEL_BANDS)).astype(np.float32)
    np.testing.assert_array_equal(loaded.score(windows), mel_net.score(windows))
    assert loaded.frames == 40 and loaded.wake_model == "hey_jarvis"


def test_windows_of_the_wrong_length_are_refused() -> None:
    _, mel_net = _random_net()
    with pytest.raises(ValueError, match="40"):
        mel_net.score(np.zeros((1, 39, MEL_BANDS), np.float32))


def test_missing_or_unreadable_network_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"wake\.mel_net"):
        MelNet.load(tmp_path / "absent.npz")
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="train_wake_mel"):
        MelNet.load(broken, check_sha256=False)


@pytest.mark.slow
def test_training_windows_score_what_the_detector_scores() -> None:
    """The trainer's windows (the rows each step added, padded with ones) and run rule
    give the very scores the streaming detector reports, step by step."""
    from bench.train_wake_mel import _Clip, _Windows
    from bench.voices import Voice, speak
    from bench.wake_audio import mix_speech_music, synth_music
    from bench.wake_train_clips import run_min
    from speaker.audio import FRAME_SAMPLES, RATE_HZ, Frame, to_int16
    from speaker.config import WakeSettings
    from speaker.wake_mel import MEL_PER_STEP
    from speaker.wakeword import WakeWordDetector

    speech = speak("hey jarvis, play some jazz", Voice("en-us", 160))
    pcm = to_int16(mix_speech_music(speech, synth_music(len(speech) / RATE_HZ + 3, 1), 0.0))
    settings = WakeSettings(music_head=False)
    detector = WakeWordDetector(settings)
    assert detector.mel_net is not None
    rows, reported = [], []
    for start in range(0, len(pcm) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
        detector.process(Frame(pcm[start : start + FRAME_SAMPLES], start / RATE_HZ, "t"))
        rows.append(detector.mel_frames(MEL_PER_STEP))
        reported.append(detector.last_mel_score)
    steps = len(reported)
    clip = _Clip(np.concatenate(rows), np.zeros(steps), np.zeros(steps),
                 np.zeros(steps, np.int8), "neg")
    windows = _Windows([clip], detector.mel_net.frames)
    replayed = run_min(detector.mel_net.score(windows.take(np.arange(steps))),
                       settings.mel_net_steps)
    np.testing.assert_allclose(replayed, reported, atol=1e-6)
    assert max(reported) >= settings.mel_net_threshold  # the clip does reach the network
