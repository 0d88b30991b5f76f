"""The fault scripts' shared ending: the checks give a RESULT line and the exit status."""

from bench._setup import verdict


def test_every_check_held_is_a_pass(capsys):
    assert verdict([(True, "nothing worked"), (True, "no request")]) == 0
    out, err = capsys.readouterr()
    assert out == "RESULT              : PASS\n" and err == ""


def test_the_first_failed_check_is_the_error(capsys):
    checks = [(True, "nothing worked"), (False, "2 notes missing"), (False, "no request")]
    assert verdict(checks) == 1
    out, err = capsys.readouterr()
    assert out == "RESULT              : FAIL\n"
    assert err == "bench: FAILED: 2 notes missing\n"
