"""Audio boundary: file sources and sinks, the streaming resampler, device errors."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from speaker.audio import (
    FRAME_SAMPLES,
    RATE_HZ,
    NullSink,
    StreamResampler,
    WavSink,
    WavSource,
    load_audio,
)
from speaker.devices import MicrophoneSource, SpeakerSink
from speaker.errors import AudioDeviceError, AudioFileError


def _tone(freq_hz: float, seconds: float, rate_hz: int, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate_hz)) / rate_hz
    return (amp * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)


def _dominant_hz(x: np.ndarray, rate_hz: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spectrum) * rate_hz / len(x))


def test_wav_source_yields_back_to_back_frames_with_zero_padded_tail(tmp_path: Path) -> None:
    audio = np.arange(16000, dtype=np.int16) % 1000
    path = tmp_path / "one.wav"
    sf.write(path, audio, RATE_HZ, subtype="PCM_16")
    frames = list(WavSource([path]).frames())
    assert len(frames) == math.ceil(16000 / FRAME_SAMPLES) == 13
    assert [f.t_s for f in frames] == pytest.approx([i * 0.08 for i in range(13)])
    assert all(f.samples.dtype == np.int16 and f.samples.shape == (FRAME_SAMPLES,)
               for f in frames)
    assert {f.input for f in frames} == {"one.wav"}
    joined = np.concatenate([f.samples for f in frames])
    np.testing.assert_array_equal(joined[:16000], audio)
    assert not joined[16000:].any()


def test_wav_source_inserts_silence_frames_for_the_gap_after_each_file(tmp_path: Path) -> None:
    for name in ("a.wav", "b.wav"):
        sf.write(tmp_path / name, np.full(2560, 1000, dtype=np.int16), RATE_HZ,
                 subtype="PCM_16")
    frames = list(WavSource([tmp_path / "a.wav", tmp_path / "b.wav"], gap_s=0.2).frames())
    # 2 frames of audio + ceil(0.2 / 0.08) = 3 frames of silence, per file
    assert len(frames) == 10
    assert [f.input for f in frames] == ["a.wav"] * 5 + ["b.wav"] * 5
    assert [bool(f.samples.any()) for f in frames] == [True, True, False, False, False] * 2
    assert frames[5].t_s == pytest.approx(0.4)


def test_wav_source_mixes_stereo_flac_to_mono_and_resamples_to_16k(tmp_path: Path) -> None:
    left = _tone(1000, 1.0, 44100)
    stereo = np.stack([left, left], axis=1)
    path = tmp_path / "tone.flac"
    sf.write(path, stereo, 44100, format="FLAC")
    frames = list(WavSource([path]).frames())
    assert len(frames) == math.ceil(16000 / FRAME_SAMPLES)
    x = np.concatenate([f.samples for f in frames]).astype(np.float64)[:16000]
    assert _dominant_hz(x, RATE_HZ) == pytest.approx(1000, abs=2)
    assert np.max(np.abs(x)) / 32767 == pytest.approx(0.5, abs=0.02)


class FakeClock:
    """Monotonic time that only moves when the source sleeps."""

    def __init__(self) -> None:
        self.now_s = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now_s

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now_s += seconds


def test_realtime_wav_source_releases_each_frame_only_after_its_end_on_the_clock(
        tmp_path: Path) -> None:
    sf.write(tmp_path / "s.wav", np.zeros(RATE_HZ, dtype=np.int16), RATE_HZ, subtype="PCM_16")
    clock = FakeClock()
    released: list[tuple[float, float]] = []
    for frame in WavSource([tmp_path / "s.wav"], realtime=True, clock=clock,
                           sleep=clock.sleep).frames():
        released.append((frame.t_s, clock.now_s - 100.0))
    for t_s, wall_s in released:
        assert wall_s >= t_s + 0.08 - 1e-9
        assert wall_s == pytest.approx(t_s + 0.08)
    assert clock.now_s - 100.0 == pytest.approx(13 * 0.08)


def test_fast_wav_source_never_waits(tmp_path: Path) -> None:
    sf.write(tmp_path / "s.wav", np.zeros(RATE_HZ, dtype=np.int16), RATE_HZ, subtype="PCM_16")
    clock = FakeClock()
    frames = list(WavSource([tmp_path / "s.wav"], clock=clock, sleep=clock.sleep).frames())
    assert len(frames) == 13 and clock.sleeps == []


def test_wav_sink_round_trips_through_load_audio(tmp_path: Path) -> None:
    tone = _tone(440, 0.5, 22050)
    path = tmp_path / "out.wav"
    with WavSink(path, 22050) as sink:
        sink.write(tone[:5000])
        sink.write(tone[5000:])
    back = load_audio(path, 22050)
    np.testing.assert_allclose(back, tone, atol=1.5 / 32767)
    at16k = load_audio(path)
    assert len(at16k) == 8000
    assert _dominant_hz(at16k, RATE_HZ) == pytest.approx(440, abs=3)


def test_null_sink_counts_what_it_discards() -> None:
    sink = NullSink(24000)
    sink.write(np.zeros(12000, dtype=np.float32))
    assert sink.seconds_written == pytest.approx(0.5)


def test_load_audio_names_the_file_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(AudioFileError, match=r"missing\.wav.*does not exist"):
        load_audio(tmp_path / "missing.wav")
    bad = tmp_path / "notaudio.flac"
    bad.write_bytes(b"this is not audio" * 10)
    with pytest.raises(AudioFileError, match=r"notaudio\.flac"):
        load_audio(bad)


@pytest.mark.parametrize(("from_hz", "to_hz"), [(48000, 16000), (44100, 16000),
                                                (16000, 22050), (22050, 48000)])
def test_stream_resampler_matches_one_resample_poly_call(from_hz: int, to_hz: int) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(from_hz)
    g = math.gcd(from_hz, to_hz)
    whole = resample_poly(x, to_hz // g, from_hz // g)
    r = StreamResampler(from_hz, to_hz)
    parts, i = [], 0
    while i < len(x):
        n = int(rng.integers(1, 3000))
        parts.append(r.process(x[i : i + n]))
        i += n
    parts.append(r.flush())
    streamed = np.concatenate(parts)
    assert len(streamed) == len(whole)
    np.testing.assert_allclose(streamed, whole, atol=1e-5)


def _no_sound_device() -> bool:
    try:
        import sounddevice as sd

        return len(sd.query_devices()) == 0
    except Exception:
        return True


needs_no_device = pytest.mark.skipif(not _no_sound_device(),
                                     reason="this machine has a sound device")


@needs_no_device
def test_microphone_without_device_fails_with_one_sentence_naming_the_setting() -> None:
    with pytest.raises(AudioDeviceError) as info:
        MicrophoneSource()
    message = str(info.value)
    assert "audio.input_device" in message
    assert "no sound device was found" in message
    assert "\n" not in message and message.count(". ") == 0 and message.endswith(".")


@needs_no_device
def test_speaker_without_device_fails_with_one_sentence_naming_the_setting() -> None:
    with pytest.raises(AudioDeviceError) as info:
        SpeakerSink("usb speaker")
    message = str(info.value)
    assert "audio.output_device" in message and "usb speaker" in message
    assert "\n" not in message and message.endswith(".")
