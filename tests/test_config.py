"""Config layering (defaults < /etc < XDG < -c FILE) and start-up validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from speaker import config
from speaker.cli import main
from speaker.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_defaults_parse_into_frozen_sections() -> None:
    settings = config.load()
    assert settings.wake.model == "hey_jarvis"
    assert settings.vad.trailing_silence_s == pytest.approx(0.6)
    assert settings.sources == ()
    with pytest.raises(AttributeError):
        settings.wake.threshold = 0.9  # type: ignore[misc]


def test_user_file_overrides_defaults_and_explicit_file_overrides_user(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    write(xdg / "encore" / "config.toml",
          '[wake]\nthreshold = 0.7\n[player]\nvolume = 40\n')
    explicit = write(tmp_path / "mine.toml", "[player]\nvolume = 25\n")
    settings = config.load(explicit)
    assert settings.wake.threshold == pytest.approx(0.7)  # from the user file
    assert settings.player.volume == 25  # explicit file wins
    assert settings.wake.model == "hey_jarvis"  # default kept
    assert settings.sources[-1] == str(explicit)


def test_int_is_accepted_for_float_and_device_may_be_index(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", "[wake]\nrefractory_s = 3\n[audio]\ninput_device = 2\n")
    settings = config.load(path)
    assert settings.wake.refractory_s == 3.0
    assert isinstance(settings.wake.refractory_s, float)
    assert settings.audio.input_device == 2


def test_library_dirs_become_a_tuple(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", '[library]\ndirs = ["/srv/music", "/media/usb"]\n')
    assert config.load(path).library.dirs == ("/srv/music", "/media/usb")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[wake]\ntreshold = 0.5\n", "Did you mean 'wake.threshold'"),
        ("[wak]\nthreshold = 0.5\n", "Did you mean [wake]"),
        ("[player]\nvolume = 150\n", "'player.volume' must be between 0 and 100"),
        ('[player]\nvolume = "loud"\n', "'player.volume' must be a whole number"),
        ("[stt]\nfast = 1\n", "'stt.fast' must be true or false"),
        ('[wake]\nmodel = "okay_google"\n', "'wake.model' must be one of"),
        ('[library]\ndirs = "/srv/music"\n', "'library.dirs' must be a list of strings"),
        ("wake = 3\n", "'wake' in"),
        ("[wake\n", "is not valid TOML"),
        ('[stt]\nsecond_model = "tiny.en"\n', "'stt.second_model' must be '' (none) or the other"),
        ("[dialogue]\nfollow_up_min_logprob = 0.5\n",
         "'dialogue.follow_up_min_logprob' must be between -100 (no bar) and 0"),
        ("[stt]\nrescore_min_similarity = 120\n", "'stt.rescore_min_similarity' must be"),
        ("[stt]\nrescore_rival_margin = -1\n", "'stt.rescore_rival_margin' must be"),
        ("[stt]\ngrammar_margin = 9\n", "'stt.grammar_margin' must be between 0 and 5"),
        ("[stt]\ngrammar_rival_margin = -0.5\n", "'stt.grammar_rival_margin' must be"),
        ("[stt]\ngrammar_min_similarity = 120\n", "'stt.grammar_min_similarity' must be"),
        ("[stt]\ngrammar_similar_rival_margin = 6\n", "'stt.grammar_similar_rival_margin'"),
        ("[stt]\ngrammar_width = 0\n", "'stt.grammar_width' must be between 1 and 32"),
        ("[stt]\ngrammar = 1\n", "'stt.grammar' must be true or false"),
        ("[vad]\nhear_timeouts = \"yes\"\n", "'vad.hear_timeouts' must be true or false"),
        ("[vad]\nstart_timeout_s = 60\n", "'vad.start_timeout_s' must be between 0 and 10"),
        ("[stt]\ngrammar_unknown_names = 0\n", "'stt.grammar_unknown_names' must be true"),
    ],
)
def test_bad_config_is_rejected_naming_the_key(tmp_path: Path, text: str, fragment: str) -> None:
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as err:
        config.load(path)
    assert fragment in str(err.value)


def test_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        config.load(tmp_path / "nope.toml")


def test_cli_config_show_prints_effective_toml(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "c.toml", "[tts]\nrate_wpm = 200\n")
    assert main(["-c", str(path), "config", "show"]) == 0
    out = capsys.readouterr().out
    assert "rate_wpm = 200" in out
    assert f"# Applied: {path}" in out
    shown = config.from_dict(__import__("tomllib").loads(out))
    assert shown.tts.rate_wpm == 200


def test_cli_config_show_json(capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ENCORE_DATA_DIR", str(tmp_path / "d"))
    assert main(["config", "show", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["data_dir"] == str(tmp_path / "d")
    assert payload["settings"]["wake"]["model"] == "hey_jarvis"


def test_cli_typo_in_config_exits_2_with_the_key(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "c.toml", "[vad]\ntrailing_silence = 0.8\n")
    assert main(["-c", str(path), "config", "show"]) == 2
    err = capsys.readouterr().err
    assert "vad.trailing_silence" in err and "vad.trailing_silence_s" in err


def test_data_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "c.toml", f'[paths]\ndata_dir = "{tmp_path / "cfg"}"\n')
    monkeypatch.delenv("ENCORE_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdgdata"))
    assert config.load().data.root == tmp_path / "xdgdata" / "encore"
    assert config.load(path).data.root == tmp_path / "cfg"
    monkeypatch.setenv("ENCORE_DATA_DIR", str(tmp_path / "env"))
    assert config.load(path).data.root == tmp_path / "env"
