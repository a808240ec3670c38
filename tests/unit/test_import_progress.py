"""The import page's progress bar: the commit re-checks the file, then writes, on one bar."""

from pm_admin.owners.states.importing import _Progress


def test_the_commit_bar_runs_through_the_recheck_then_the_writes():
    progress = _Progress()
    recheck, write = progress.part(0, 2), progress.part(1, 2)
    recheck(250, 1000)
    assert progress.percent() == 12
    recheck(1000, 1000)
    assert progress.percent() == 50
    write(500, 1000)
    assert progress.percent() == 75
    write(1000, 1000)
    assert progress.percent() == 100
