"""Every file zoho-migrate writes goes through here: never through a symlink, never half-written, never a
scanned source file.

Why one module: the tool runs in repositories and shared folders it does not control. A symlink planted at an
output name (`p.patch -> ~/.bashrc`), a cassette name, or a token store path must not redirect a write; a full
disk must not destroy the previous version of a file; an output path that names a scanned source must not
overwrite the user's code. So every write is: refuse a symlink or a non-regular file at the target (one line,
exit 2, target untouched and its mode unchanged), write a temporary file created with O_EXCL in the same folder,
fsync it, set its mode, then rename it over the target (rename replaces a link instead of following it, so even a
link planted after the check is never written through). Creating a file that must not exist yet is a hard link
of the temporary file (fails if the name exists), i.e. O_EXCL semantics for the final name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from migrate.errors import ConfigError

PRIVATE_MODE = 0o600


class UnsafeTarget(ConfigError):
    """A write target that is a symlink, not a regular file, or a scanned source file (exit 2, untouched)."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.reason = message.split(": ", 1)[-1]  # without the "what:" prefix, for per-file reports
        super().__init__(message, path=path)


def _umask() -> int:
    """The process umask without changing it (Linux exposes it in /proc; elsewhere the classic swap)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    current = os.umask(0o022)
    os.umask(current)
    return current


def check_target(path: Path, what: str) -> os.stat_result | None:
    """Refuse a symlink or a non-regular file at `path`; return its lstat (None when it does not exist)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise UnsafeTarget(f"{what}: cannot inspect the target: {error.strerror or error}", path=str(path)) from None
    if stat.S_ISLNK(info.st_mode):
        raise UnsafeTarget(f"{what}: refusing to write through a symbolic link (remove the link or choose another "
                           "file); nothing was written", path=str(path))
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeTarget(f"{what}: not a regular file; nothing was written", path=str(path))
    return info


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def check_not_source(path: Path, roots: Iterable[Path], what: str, *,
                     own: Callable[[Path], bool] | None = None, anywhere_inside: bool = False) -> None:
    """Refuse an output `path` that is a scanned file: equal to a file argument, or an existing file under a
    scanned folder that `own` does not recognise as one of our outputs. With `anywhere_inside` (the exact patch,
    which holds unmasked secrets) any name under a scanned folder is refused, existing or not."""
    resolved = path.resolve()
    for root in roots:
        real = root.resolve()
        if real.is_file() or not real.exists():
            if resolved == real:
                raise UnsafeTarget(f"{what}: is a scanned file ({root}); write it elsewhere, nothing was written",
                                   path=str(path))
            continue
        if not _inside(resolved, real):
            continue
        if anywhere_inside:
            raise UnsafeTarget(f"{what}: is inside the scanned folder {root}; write it outside the folders given, "
                               "nothing was written", path=str(path))
        if resolved.is_file() and not (own and own(resolved)):
            raise UnsafeTarget(f"{what}: is an existing file inside the scanned folder {root} and not a "
                               "zoho-migrate output; write it elsewhere, nothing was written", path=str(path))


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]


def _temporary(directory: Path, name: str, data: bytes, mode: int) -> str:
    """A fully written, fsynced temporary file beside the target, with its final mode; removed on any failure."""
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".zoho-migrate", dir=directory)
    try:
        try:
            _write_all(handle, data)
            os.fsync(handle)
            os.fchmod(handle, mode)
        finally:
            os.close(handle)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


def _create_exclusive(path: Path, data: bytes, mode: int) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
    try:
        _write_all(descriptor, data)
        os.fsync(descriptor)
    except BaseException:
        os.close(descriptor)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    os.close(descriptor)


def atomic_write(path: Path, data: bytes, *, mode: int | None = None, exclusive: bool = False,
                 what: str = "output", before_rename: Callable[[], None] | None = None) -> None:
    """Write `data` to `path` via a temporary file and a rename (see module docstring). Raises UnsafeTarget for a
    symlink or special file at `path`, FileExistsError when `exclusive` and the name exists, OSError otherwise
    (the temporary file removed, the target as it was). `mode` defaults to the existing file's mode, or
    0666 & ~umask for a new file. `before_rename` runs last, right before the rename (compare-and-swap)."""
    info = check_target(path, what)
    if exclusive and info is not None:
        raise FileExistsError(errno.EEXIST, "file exists", str(path))
    if mode is None:
        mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
    directory = path.parent if str(path.parent) else Path(".")
    temporary = _temporary(directory, path.name, data, mode)
    try:
        if before_rename is not None:
            before_rename()
        if exclusive:
            try:
                os.link(temporary, path)  # fails if the name exists, whatever it is (O_EXCL for the final name)
            except FileExistsError:
                raise
            except OSError as error:  # a file system without hard links: O_CREAT|O_EXCL|O_NOFOLLOW directly
                if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                    raise
                _create_exclusive(path, data, mode)
            finally:
                os.unlink(temporary)
            return
        check_target(path, what)  # a link planted meanwhile: refuse rather than silently replace it
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def save(path: Path, data: bytes | str, what: str, *, private: bool = False, mode: int | None = None) -> None:
    """`atomic_write` for a command's artifact, every failure one line (exit 2); the old file stays intact."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        atomic_write(path, payload, mode=PRIVATE_MODE if private else mode, what=what)
    except UnsafeTarget:
        raise
    except OSError as error:
        raise ConfigError(f"cannot write {what}: {error.strerror or error}; the previous file (if any) is intact",
                          path=str(path)) from None


def make_parent(path: Path, what: str) -> None:
    """Create the folder an output goes into (a usage error, exit 2, when it cannot be)."""
    parent = path.parent
    if str(parent) in ("", "."):
        return
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"cannot create the folder for {what}: {error.strerror or error}", path=str(path)) \
            from None


def create_private(path: Path, what: str) -> bool:
    """Create an empty 0600 file with O_CREAT|O_EXCL|O_NOFOLLOW; False when a regular file is there already
    (a symlink or special file is refused, untouched)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags, PRIVATE_MODE)
    except FileExistsError:
        check_target(path, what)
        return False
    os.close(descriptor)
    return True


def remove_stale(path: Path | None) -> bool:
    """Remove a previous run's output at `path` (a regular file only, never a link) so that a failed run leaves
    nothing that looks current; True when something was removed."""
    if path is None or str(path) == "-":
        return False
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    with contextlib.suppress(OSError):
        os.unlink(path)
        return True
    return False


@contextlib.contextmanager
def stale_on_failure(*paths: Path | None) -> Iterator[None]:
    """Around a command's work: if it fails (any exception), remove the previous outputs at `paths`."""
    try:
        yield
    except BaseException:
        for path in paths:
            remove_stale(path)
        raise
