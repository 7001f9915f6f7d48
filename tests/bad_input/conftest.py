from tests.bad_input import TRIED


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if TRIED:
        terminalreporter.write_line(
            f"bad-input suite: {len(TRIED)} bad inputs tried "
            f"({len(set(TRIED))} distinct)"
        )
