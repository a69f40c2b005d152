"""The exceptions capspec raises."""

from validator._tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from validator._problem import Problem


class CapspecError(Exception):
    """Base class of every error capspec raises on purpose."""


class SpecIssue(NamedTuple):
    """One thing wrong with a capability spec file, located by line, column and key path."""

    message: str
    line: int
    column: int
    key: str

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}: " if self.line else ""
        return f"{where}{self.key}: {self.message}" if self.key else f"{where}{self.message}"


class SpecError(CapspecError):
    """A capability spec file that cannot be used; ``issues`` says where and why."""

    def __init__(self, path: str, issues: list[SpecIssue]) -> None:
        self.path = path
        self.issues = issues
        # Line 0 is the whole file (one that cannot be read): no position to give.
        lines = [
            f"{path}:{f'{i.line}:{i.column}:' if i.line else ''} "
            f"{i.key + ': ' if i.key else ''}{i.message}"
            for i in issues
        ]
        super().__init__("\n".join(lines) if lines else f"{path}: invalid capability spec")


class RequestError(CapspecError):
    """A request with errors, raised by ``preflight``; ``problems`` lists every one."""

    def __init__(self, problems: "list[Problem]") -> None:
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        shown = "; ".join(f"{p.code} at {p.path}: {p.message}" for p in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
        super().__init__(f"request has {count}: {shown}{more}")
