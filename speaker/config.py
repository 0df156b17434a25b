"""Settings: packaged defaults layered with TOML files, parsed once into frozen dataclasses.

Each subsystem gets its own frozen dataclass whose field names carry their unit
(``_s``, ``_hz``, ``_db``, ``_ms``). Unknown keys and values of the wrong type are
rejected at start-up with a message that names the key and the fix.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from speaker.errors import ConfigError
from speaker.paths import DataLayout, default_data_dir

WAKE_MODELS = ("hey_jarvis", "hey_mycroft", "alexa", "hey_rhasspy")
LOSSES = ("warp", "bpr", "logistic", "warp-kos")


def _check(ok: bool, key: str, message: str) -> None:
    if not ok:
        raise ConfigError(f"Setting '{key}' {message}.")


@dataclass(frozen=True)
class PathSettings:
    data_dir: str = ""


@dataclass(frozen=True)
class AudioSettings:
    input_device: str | int = ""
    output_device: str | int = ""
    output_rate_hz: int = 22050
    output_block_ms: int = 40

    def __post_init__(self) -> None:
        _check(8000 <= self.output_rate_hz <= 192000, "audio.output_rate_hz",
               "must be between 8000 and 192000 Hz")
        _check(5 <= self.output_block_ms <= 500, "audio.output_block_ms",
               "must be between 5 and 500 ms")


@dataclass(frozen=True)
class WakeSettings:
    model: str = "hey_jarvis"
    threshold: float = 0.5
    refractory_s: float = 2.0
    music_head: bool = True
    music_head_threshold: float = 0.9
    music_head_steps: int = 2
    mel_net: bool = True
    mel_net_threshold: float = 0.9
    mel_net_steps: int = 3
    verify: bool = True
    verify_margin: float = -2.0
    verify_window_s: float = 2.0
    verify_head_bonus: float = 2.0
    verify_phrase: str = ""

    def __post_init__(self) -> None:
        _check(-10.0 <= self.verify_margin <= 0.0, "wake.verify_margin",
               "must be between -10 and 0 nats per token")
        _check(0.8 <= self.verify_window_s <= 5.0, "wake.verify_window_s",
               "must be between 0.8 and 5 seconds")
        _check(0.0 <= self.verify_head_bonus <= 5.0, "wake.verify_head_bonus",
               "must be between 0 and 5 nats per token")
        _check(not self.verify_phrase or any(c.isalpha() for c in self.verify_phrase),
               "wake.verify_phrase", "must be the wake phrase in words (e.g. \"hey computer\") "
               "or empty for the shipped model's own")
        _check(0.0 < self.music_head_threshold < 1.0, "wake.music_head_threshold",
               "must be between 0 and 1")
        _check(0.0 < self.mel_net_threshold < 1.0, "wake.mel_net_threshold",
               "must be between 0 and 1")
        _check(1 <= self.mel_net_steps <= 8, "wake.mel_net_steps",
               "must be between 1 and 8 (80 ms steps)")
        _check(1 <= self.music_head_steps <= 8, "wake.music_head_steps",
               "must be between 1 and 8 (80 ms steps)")
        _check(self.model in WAKE_MODELS or self.model.endswith(".onnx"), "wake.model",
               f"must be one of {', '.join(WAKE_MODELS)} or a path to an .onnx file, "
               f"not {self.model!r}")
        _check(0.0 < self.threshold < 1.0, "wake.threshold", "must be between 0 and 1")
        _check(self.refractory_s >= 0.0, "wake.refractory_s", "must not be negative")


@dataclass(frozen=True)
class VadSettings:
    threshold: float = 0.5
    start_timeout_s: float = 4.0
    trailing_silence_s: float = 0.6
    max_request_s: float = 10.0
    speech_floor_db: float = 12.0
    hear_timeouts: bool = True

    def __post_init__(self) -> None:
        _check(0.0 < self.threshold < 1.0, "vad.threshold", "must be between 0 and 1")
        _check(self.speech_floor_db == 0.0 or 3.0 <= self.speech_floor_db <= 40.0,
               "vad.speech_floor_db", "must be 0 (off) or between 3 and 40 dB")
        _check(0.0 < self.start_timeout_s <= 10.0, "vad.start_timeout_s",
               "must be between 0 and 10 seconds")
        _check(0.08 <= self.trailing_silence_s <= 5.0, "vad.trailing_silence_s",
               "must be between 0.08 and 5 seconds")
        _check(1.0 <= self.max_request_s <= 30.0, "vad.max_request_s",
               "must be between 1 and 30 seconds (Whisper's window)")


@dataclass(frozen=True)
class SttSettings:
    model: str = "tiny.en"
    threads: int = 2
    fast: bool = True
    quantize: bool = True
    pad_s: float = 3.0
    no_speech_threshold: float = 0.6
    prompt_max_names: int = 20
    prompt_commands: bool = True
    beam_size: int = 3
    rescore_margin: float = 0.75
    rescore_min_similarity: float = 60.0
    rescore_rival_margin: float = 0.3
    grammar: bool = True
    grammar_margin: float = 0.75
    grammar_rival_margin: float = 1.5
    grammar_similar_rival_margin: float = 0.3
    grammar_min_similarity: float = 60.0
    grammar_width: int = 8
    grammar_unknown_names: bool = True
    wake_lead_s: float = 2.0
    retry_unprompted: bool = True
    retry_min_logprob: float = -1.0
    second_model: str = ""
    second_min_logprob: float = -0.4

    def __post_init__(self) -> None:
        _check(self.model in ("tiny.en", "base"), "stt.model", "must be 'tiny.en' or 'base'")
        _check(self.second_model in ("", "tiny.en", "base") and self.second_model != self.model,
               "stt.second_model", "must be '' (none) or the other model ('tiny.en' or 'base')")
        _check(-5.0 <= self.retry_min_logprob <= 0.0, "stt.retry_min_logprob",
               "must be between -5 and 0 nats per token")
        _check(-5.0 <= self.second_min_logprob <= 0.0, "stt.second_min_logprob",
               "must be between -5 and 0 nats per token")
        _check(0.0 <= self.wake_lead_s <= 5.0, "stt.wake_lead_s",
               "must be between 0 (off) and 5 seconds")
        _check(1 <= self.threads <= 64, "stt.threads", "must be between 1 and 64")
        _check(0.0 <= self.pad_s <= 28.0, "stt.pad_s", "must be between 0 and 28 seconds")
        _check(0.0 <= self.no_speech_threshold <= 1.0, "stt.no_speech_threshold",
               "must be between 0 and 1")
        _check(0 <= self.prompt_max_names <= 200, "stt.prompt_max_names",
               "must be between 0 and 200")
        _check(0.0 <= self.rescore_margin <= 5.0, "stt.rescore_margin",
               "must be between 0 (off) and 5 nats per token")
        _check(0.0 <= self.rescore_rival_margin <= 5.0, "stt.rescore_rival_margin",
               "must be between 0 and 5 nats per token")
        _check(0.0 <= self.rescore_min_similarity <= 100.0, "stt.rescore_min_similarity",
               "must be between 0 (any phrase) and 100")
        _check(0.0 <= self.grammar_margin <= 5.0, "stt.grammar_margin",
               "must be between 0 and 5 nats per token")
        _check(0.0 <= self.grammar_rival_margin <= 5.0, "stt.grammar_rival_margin",
               "must be between 0 and 5 nats per token")
        _check(0.0 <= self.grammar_similar_rival_margin <= 5.0,
               "stt.grammar_similar_rival_margin", "must be between 0 and 5 nats per token")
        _check(0.0 <= self.grammar_min_similarity <= 101.0, "stt.grammar_min_similarity",
               "must be between 0 and 100 (or 101: no phrase is similar enough)")
        _check(1 <= self.grammar_width <= 32, "stt.grammar_width", "must be between 1 and 32")
        _check(1 <= self.beam_size <= 8, "stt.beam_size",
               "must be between 1 (greedy) and 8")


@dataclass(frozen=True)
class TtsSettings:
    voice: str = "en-us"
    rate_wpm: int = 170
    timeout_s: float = 15.0

    def __post_init__(self) -> None:
        _check(60 <= self.rate_wpm <= 400, "tts.rate_wpm", "must be between 60 and 400")
        _check(self.timeout_s > 0, "tts.timeout_s", "must be positive")


@dataclass(frozen=True)
class PlayerSettings:
    volume: int = 70
    duck_db: float = -15.0
    volume_step: int = 10
    fade_s: float = 5.0

    def __post_init__(self) -> None:
        _check(0 <= self.volume <= 100, "player.volume", "must be between 0 and 100")
        _check(-60.0 <= self.duck_db <= 0.0, "player.duck_db",
               "must be between -60 and 0 dB")
        _check(1 <= self.volume_step <= 50, "player.volume_step", "must be between 1 and 50")
        _check(0.0 <= self.fade_s <= 60.0, "player.fade_s", "must be between 0 and 60 s")


@dataclass(frozen=True)
class LibrarySettings:
    dirs: tuple[str, ...] = ()
    rescan_interval_min: int = 0

    def __post_init__(self) -> None:
        _check(self.rescan_interval_min >= 0, "library.rescan_interval_min",
               "must not be negative (0 disables the periodic rescan)")


@dataclass(frozen=True)
class RecommenderSettings:
    components: int = 64
    epochs: int = 30
    loss: str = "warp"
    learning_rate: float = 0.05
    max_sampled: int = 100
    threads: int = 2
    retrain_after_events: int = 50
    recent_window: int = 20
    recent_hours: float = 4.0

    def __post_init__(self) -> None:
        _check(2 <= self.components <= 512, "recommender.components",
               "must be between 2 and 512")
        _check(1 <= self.epochs <= 1000, "recommender.epochs", "must be between 1 and 1000")
        _check(self.loss in LOSSES, "recommender.loss", f"must be one of {', '.join(LOSSES)}")
        _check(0.0 < self.learning_rate < 1.0, "recommender.learning_rate",
               "must be between 0 and 1")
        _check(1 <= self.max_sampled <= 1000, "recommender.max_sampled",
               "must be between 1 and 1000")
        _check(1 <= self.threads <= 64, "recommender.threads", "must be between 1 and 64")
        _check(self.retrain_after_events >= 1, "recommender.retrain_after_events",
               "must be at least 1")
        _check(self.recent_window >= 0, "recommender.recent_window", "must not be negative")
        _check(self.recent_hours >= 0, "recommender.recent_hours", "must not be negative")


@dataclass(frozen=True)
class DialogueSettings:
    default_user: str = "default"
    follow_up_s: float = 5.0
    follow_up_min_logprob: float = -1.1
    """How sure Whisper must be of a follow-up (mean log-probability per token, nats)."""

    def __post_init__(self) -> None:
        _check(bool(self.default_user.strip()), "dialogue.default_user", "must not be empty")
        _check(self.follow_up_s == 0.0 or 1.0 <= self.follow_up_s <= 10.0,
               "dialogue.follow_up_s", "must be 0 (off) or between 1 and 10 seconds")
        _check(-100.0 <= self.follow_up_min_logprob <= 0.0, "dialogue.follow_up_min_logprob",
               "must be between -100 (no bar) and 0 nats per token")


@dataclass(frozen=True)
class Settings:
    """The whole effective configuration, one frozen section per subsystem."""

    paths: PathSettings = field(default_factory=PathSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    wake: WakeSettings = field(default_factory=WakeSettings)
    vad: VadSettings = field(default_factory=VadSettings)
    stt: SttSettings = field(default_factory=SttSettings)
    tts: TtsSettings = field(default_factory=TtsSettings)
    player: PlayerSettings = field(default_factory=PlayerSettings)
    library: LibrarySettings = field(default_factory=LibrarySettings)
    recommender: RecommenderSettings = field(default_factory=RecommenderSettings)
    dialogue: DialogueSettings = field(default_factory=DialogueSettings)
    sources: tuple[str, ...] = ()
    """Files the settings were read from, lowest precedence first."""

    @property
    def data(self) -> DataLayout:
        return DataLayout(default_data_dir(self.paths.data_dir))

    def to_dict(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for f in dataclasses.fields(self):
            if f.name == "sources":
                continue
            section = dataclasses.asdict(getattr(self, f.name))
            out[f.name] = {k: list(v) if isinstance(v, tuple) else v for k, v in section.items()}
        return out


def system_config_paths() -> list[Path]:
    """Config files looked up when none is given, lowest precedence first."""
    xdg = os.environ.get("XDG_CONFIG_HOME", "").strip()
    user_base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return [Path("/etc/encore/config.toml"), user_base / "encore" / "config.toml"]


def _packaged_defaults() -> dict[str, Any]:
    text = resources.files("speaker").joinpath("defaults.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix the syntax or remove "
                          "the file to use the defaults.") from exc
    except OSError as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc.strerror}.") from exc


def _merge(base: dict[str, Any], over: Mapping[str, Any], origin: str) -> None:
    hints = typing.get_type_hints(Settings)
    sections = {f.name: hints[f.name] for f in dataclasses.fields(Settings) if f.name != "sources"}
    for name, table in over.items():
        if name not in sections:
            hint = difflib.get_close_matches(name, sections, n=1)
            did = f" Did you mean [{hint[0]}]?" if hint else ""
            raise ConfigError(f"Unknown section [{name}] in {origin}.{did} "
                              f"Valid sections: {', '.join(sections)}.")
        if not isinstance(table, Mapping):
            raise ConfigError(f"'{name}' in {origin} must be a table ([{name}]), "
                              f"not a {type(table).__name__}.")
        keys = {f.name for f in dataclasses.fields(sections[name])}
        for key, value in table.items():
            if key not in keys:
                hint = difflib.get_close_matches(key, keys, n=1)
                did = f" Did you mean '{name}.{hint[0]}'?" if hint else ""
                raise ConfigError(f"Unknown setting '{name}.{key}' in {origin}.{did} "
                                  "Remove it or correct the spelling.")
            base.setdefault(name, {})[key] = value


def _coerce(key: str, value: Any, annotation: Any) -> Any:
    """Check ``value`` from TOML against a dataclass field's type."""
    origin = typing.get_origin(annotation)
    if origin in (types.UnionType, typing.Union):
        for option in typing.get_args(annotation):
            try:
                return _coerce(key, value, option)
            except ConfigError:
                continue
        names = " or ".join(getattr(a, "__name__", str(a)) for a in typing.get_args(annotation))
        raise ConfigError(f"Setting '{key}' must be {names}, not {value!r}.")
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"Setting '{key}' must be a list of strings, "
                              f'e.g. {key.split(".")[-1]} = ["/srv/music"], not {value!r}.')
        return tuple(value)
    if annotation is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"Setting '{key}' must be true or false, not {value!r}.")
        return value
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"Setting '{key}' must be a whole number, not {value!r}.")
        return value
    if annotation is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"Setting '{key}' must be a number, not {value!r}.")
        return float(value)
    if annotation is str:
        if not isinstance(value, str):
            raise ConfigError(f'Setting \'{key}\' must be a string in quotes, not {value!r}.')
        return value
    raise ConfigError(f"Setting '{key}' has an unsupported type {annotation!r}.")


def from_dict(data: Mapping[str, Any], sources: tuple[str, ...] = ()) -> Settings:
    """Build validated settings from a merged ``{section: {key: value}}`` mapping."""
    hints = typing.get_type_hints(Settings)
    sections: dict[str, Any] = {}
    for name, table in data.items():
        cls = hints[name]
        field_types = typing.get_type_hints(cls)
        values = {k: _coerce(f"{name}.{k}", v, field_types[k]) for k, v in table.items()}
        sections[name] = cls(**values)
    return Settings(**sections, sources=sources)


def load(path: Path | None = None) -> Settings:
    """Load the effective settings.

    The packaged defaults come first; then ``/etc/encore/config.toml`` and
    ``$XDG_CONFIG_HOME/encore/config.toml`` if they exist; an explicit ``path``
    (``-c/--config``) must exist and is applied last.
    """
    merged: dict[str, Any] = {}
    _merge(merged, _packaged_defaults(), "the packaged defaults")
    used: list[str] = []
    candidates = [p for p in system_config_paths() if p.is_file()]
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"Config file {path} does not exist; check the path given "
                              "to -c/--config.")
        candidates.append(path)
    for candidate in candidates:
        _merge(merged, _read_toml(candidate), str(candidate))
        used.append(str(candidate))
    return from_dict(merged, tuple(used))


def to_toml(settings: Settings) -> str:
    """Render settings as TOML (what ``encore config show`` prints)."""
    lines: list[str] = []
    for section, table in settings.to_dict().items():
        lines.append(f"[{section}]")
        for key, value in table.items():
            lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
