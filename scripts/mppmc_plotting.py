"""Helpers shared by the plotting scripts (plot_fan.py, plot_tornado.py, report.py): opening and
checking an mppmc HDF5 file, number formatting, writing a file through a temporary name and a
rename, and the command-line error handling (exit 2 for bad input, 3 for a failed write).

The scripts import it from their own folder:
  sys.path.insert(0, str(Path(__file__).resolve().parent))
  import mppmc_plotting
"""
import math
import os
import sys
import tempfile
from pathlib import Path


#: The epilog of a chart script's --help: what run_cli returns.
PNG_EXIT_CODES = ("Exit codes: 0 ok (prints the PNG path), 2 bad input (one-line message on stderr, nothing written), "
                  "3 the PNG could not be written.")


class InputError(Exception):
    """Bad input: the message is printed as one line and the exit code is 2."""


# ----------------------------------------------------------------------------------------------
# Reading

def text(value):
    """An HDF5 string (attribute or element; bytes, str or a numpy scalar) as str."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def open_hdf5(path, what, schema, schema_versions, show_version=repr, hints=None, check=None):
    """Opens an mppmc HDF5 file read-only (an h5py.File) after checking that it is one: it exists,
    is HDF5, has the root attributes schema == `schema` and schema_version in `schema_versions`
    (a tuple of versions; results and sensitivity files: 1 and 2, which only adds dimensions),
    and passes check(f, path) (further checks, raising InputError), if given. Raises InputError
    naming the problem.

    what: the kind of file in the messages, e.g. "mppmc results" ("not an mppmc results file").
    show_version: how a wrong schema_version is shown in the message.
    hints: {schema found: text appended to the message on a wrong schema}."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not an {what} file")
    import h5py
    try:
        is_hdf5 = h5py.is_hdf5(str(path))
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e}") from None
    if not is_hdf5:
        raise InputError(f"{path}: not an HDF5 file, so not an {what} file")
    try:
        f = h5py.File(str(path), "r")
    except OSError as e:
        raise InputError(f"{path}: cannot open as HDF5: {e}") from None
    try:
        found_schema = text(f.attrs["schema"]) if "schema" in f.attrs else None
        if found_schema != schema:
            found = ("no root attribute 'schema'" if found_schema is None
                     else f"root attribute schema = {found_schema!r}")
            hint = (hints or {}).get(found_schema, "")
            raise InputError(f"{path}: not an {what} file ({found}, expected {schema!r}){hint}")
        version = f.attrs.get("schema_version")
        try:
            version_ok = version is not None and int(version) in schema_versions
        except (TypeError, ValueError):
            version_ok = False
        if not version_ok:
            raise InputError(f"{path}: unsupported {what} schema_version {show_version(version)} "
                             f"(this script reads version {' and '.join(map(str, schema_versions))})")
        if check is not None:
            check(f, path)
    except BaseException:
        f.close()
        raise
    return f


# ----------------------------------------------------------------------------------------------
# Number formatting

def is_money(unit):
    return unit.upper().startswith("EUR")


def clean_zero(s):
    """"-0", "-0.0" -> "0", "0.0" (no sign on a number that rounds to zero)."""
    if s.startswith("-") and not any(c in "123456789" for c in s):
        return s[1:]
    return s


def format_count(value):
    """Persons, places: thousands separators, no decimals ("46,939")."""
    return clean_zero(f"{value:,.0f}")


def format_value(value, unit):
    """One value of `unit` with its unit where it is money: "5.05 EUR bn", "4,973.9 EUR m"
    (the money rule applied to the value itself), "92,970" otherwise."""
    if not is_money(unit):
        return format_count(value)
    money = money_unit(value)
    return f"{format_amount(value, money)} {money[1]}"


#: The money units, largest first: (divisor in EUR, name, decimals). The same table and rule as
#: the C++ core/money_unit.h (the terminal tables); docs/cli.md, "Money units".
MONEY_UNITS = [(1e9, "EUR bn", 2), (1e6, "EUR m", 1), (1e3, "EUR thousand", 1)]


def money_unit(medio):
    """(divisor, name, decimals) of the one money unit for amounts whose medio is `medio` (pass
    the medio of largest magnitude shown): the largest of EUR, EUR thousand, EUR m, EUR bn that
    keeps |medio| >= 1. A zero or non-finite medio gives (1.0, "EUR", 0)."""
    magnitude = abs(float(medio))
    if math.isfinite(magnitude):
        for divisor, name, decimals in MONEY_UNITS:
            if magnitude / divisor >= 1.0:
                return divisor, name, decimals
    return 1.0, "EUR", 0


def scaled_unit(unit, money):
    """`unit` with its leading "EUR" replaced by the money unit's name ("EUR/year" -> "EUR m/year");
    other units unchanged."""
    return money[1] + unit[3:] if is_money(unit) else unit


def unit_for(unit, medio):
    """The money unit for a table or chart of `unit` whose largest medio is `medio`; (1.0, unit, 0)
    for a unit that is not money (persons, places: whole numbers)."""
    return money_unit(medio) if is_money(unit) else (1.0, unit, 0)


def format_amount(value, money):
    """`value` in the money unit `money` (from unit_for): divided, with its decimals and thousands
    separators ("4,973.9")."""
    divisor, _, decimals = money
    return clean_zero(f"{value / divisor:,.{decimals}f}")


def money_scale(unit, medio):
    """(divisor, scaled unit) of an axis of `unit` whose largest medio is `medio`: the money rule
    for euros ("EUR m/year"), (1.0, unit) otherwise."""
    money = unit_for(unit, medio)
    return money[0], scaled_unit(unit, money) if is_money(unit) else unit


def make_tick_formatter(divisor):
    """A matplotlib Formatter: value / divisor with thousands separators, with as many decimals
    as the tick step needs."""
    from matplotlib.ticker import Formatter

    class ThousandsFormatter(Formatter):
        decimals = 0

        def set_locs(self, locs):
            super().set_locs(locs)
            self.decimals = 0
            vals = sorted(v / divisor for v in locs)
            steps = [b - a for a, b in zip(vals, vals[1:]) if b > a]
            if steps:
                self.decimals = max(0, min(6, -math.floor(math.log10(min(steps)) + 1e-9)))

        def __call__(self, x, pos=None):
            return clean_zero(f"{x / divisor:,.{self.decimals}f}")

    return ThousandsFormatter()


# ----------------------------------------------------------------------------------------------
# Writing

def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path, write, suffix=".tmp"):
    """Writes `path` through a temporary file in the same folder (".<name>.<random><suffix>"):
    write(tmp) writes the temporary file by its name, which is then made rw-r--r-- (less the
    umask) and renamed to `path`. On any failure the temporary file is removed and nothing is left
    at `path`. Returns Path(path)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=str(path.parent))
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644 & ~current_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def save_png(fig, output, dpi):
    """Saves the matplotlib figure `fig` as the PNG `output` (through a temporary file and a
    rename, see write_atomically) and closes it. Returns Path(output)."""
    import matplotlib.pyplot as plt
    try:
        return write_atomically(
            output,
            lambda tmp: fig.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.25,
                                    facecolor="white"),
            suffix=".tmp.png")
    finally:
        plt.close(fig)


# ----------------------------------------------------------------------------------------------
# Command line

def check_dpi(dpi):
    """Raises InputError unless 30 <= dpi <= 600."""
    if dpi < 30 or dpi > 600:
        raise InputError(f"--dpi {dpi}: expected 30 to 600")


def check_png_output(png):
    """Raises InputError unless the Path `png` can be written as a PNG: a .png name in an
    existing folder, not a folder itself."""
    if png.suffix.lower() != ".png":
        raise InputError(f"{png}: the output must be a .png file")
    folder = png.parent if str(png.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{png}: output folder {folder} does not exist")
    if png.is_dir():
        raise InputError(f"{png}: is a folder")


def run_cli(prog, body):
    """Runs body(), which returns the paths it wrote, and prints them one a line; returns the
    exit code: 0 ok, 2 on InputError, 3 on OSError (each with "PROG: error: message" on
    stderr)."""
    try:
        written = body()
    except InputError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 3
    for path in written:
        print(path)
    return 0
