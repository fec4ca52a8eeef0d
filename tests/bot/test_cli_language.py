"""`dondoc`'s own words (argparse's usage, titles, errors) in the console's language,
Vietnamese unless DEFAULT_LANGUAGE=en: a real process for the first case of each test, the
others through the same `cli.main` in the test's process (`dondoc_here`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.bot.test_cli import dondoc, dondoc_here, env_for

# argparse's English, which a Vietnamese console no longer shows.
ENGLISH = ("usage:", "error:", "options:", "positional arguments", "show this help", "invalid")

WRONG = [
    (("frob",), "dondoc", "tham số LỆNH: không có lựa chọn 'frob' (chọn một trong: 'run'"),
    (("run", "--bogus"), "dondoc", "không hiểu tham số: --bogus"),
    (("admin", "add"), "dondoc admin add", "thiếu tham số bắt buộc: MÃ_TELEGRAM"),
    (("scope", "set"), "dondoc scope set", "thiếu tham số bắt buộc: NGƯỜI, NHÓM"),
    (("outbox",), "dondoc outbox", "thiếu tham số bắt buộc: LỆNH"),
    (("demo", "--port"), "dondoc demo", "tham số --port: cần một giá trị đi kèm"),
    (("report", "--task", "x"), "dondoc report", "cần số của một nhiệm vụ (số nguyên từ 1)"),
]


@pytest.mark.parametrize(("words", "prog", "said"), WRONG, ids=[" ".join(w[0]) for w in WRONG])
def test_a_wrong_command_line_is_told_in_vietnamese_with_status_2(
    tmp_path: Path, words: tuple[str, ...], prog: str, said: str
) -> None:
    """An unknown verb, an unknown option, a missing argument, a bad value: the usage, one
    Vietnamese line saying what is wrong and where to read how, exit status 2, no traceback.
    Before, argparse's English ("usage:", "error: invalid choice", "unrecognized
    arguments", "the following arguments are required")."""
    run = dondoc if words == WRONG[0][0] else dondoc_here
    result = run(tmp_path, env_for(tmp_path), *words)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"cách dùng: {prog} "), lines
    assert f"{prog}: lỗi: " in result.stderr, lines
    assert said in " ".join(result.stderr.split()), lines
    assert lines[-1] == f"Xem «{prog} --help» để biết cách dùng."
    assert not [word for word in ENGLISH if word in result.stderr], lines
    assert result.stdout == ""


def test_help_speaks_vietnamese_by_default_and_english_when_set(tmp_path: Path) -> None:
    """`dondoc admin --help`: its usage, section titles, -h's line and placeholders in
    Vietnamese (an option's value too); with DEFAULT_LANGUAGE=en, in English, as is an
    error."""
    shown = dondoc(tmp_path, env_for(tmp_path), "admin", "--help")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("cách dùng: dondoc admin [-h] LỆNH ...")
    for words in ("tham số:", "tùy chọn:", "-h, --help  hiện hướng dẫn này rồi thoát"):
        assert words in shown.stdout
    assert not [word for word in ENGLISH if word in shown.stdout], shown.stdout
    version = dondoc_here(tmp_path, env_for(tmp_path), "--help").stdout
    # argparse aligns the help lines after the longest option (--env-file TỆP)
    assert re.search(r"--version +hiện phiên bản của chương trình rồi thoát", version)
    report = dondoc_here(tmp_path, env_for(tmp_path), "report", "--help").stdout
    assert "--task SỐ_NHIỆM_VỤ" in report
    assert "--from TỪ_NGÀY" in report

    english = env_for(tmp_path, DEFAULT_LANGUAGE="en")
    shown = dondoc_here(tmp_path, english, "admin", "--help")
    assert shown.stdout.startswith("usage: dondoc admin [-h] COMMAND ...")
    assert "show this help message and exit" in shown.stdout
    assert "manage administrators" in shown.stdout
    assert "--task TASK" in dondoc_here(tmp_path, english, "report", "--help").stdout
    wrong = dondoc(tmp_path, english, "frob")
    assert wrong.returncode == 2
    assert "dondoc: error: argument COMMAND: invalid choice: 'frob'" in wrong.stderr
    assert wrong.stderr.strip().endswith("See “dondoc --help” for how to use it.")
    assert "lỗi" not in wrong.stderr
