"""Turn landing files into records that keep their file, line number and raw text.

A reject must name its exact line and carry its raw text, which DuckDB's readers give for no row
they skip. JSON Lines files are framed by DuckDB itself when it can read them as plain lines
(`loaders.py`, the fast path); this module frames the files it cannot (bad bytes, carriage
returns, over-long lines) and every CSV file, whose quoted newlines make a record span lines.
Parsing and validating the fields is always left to DuckDB.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from orchestration.ingest.contract import EXTENSIONS


class LoadError(Exception):
    """A partition could not be loaded; its previous state is kept."""


# What counts as a blank line, on both paths: ASCII whitespace only, so a line holding nothing but
# other characters (a no-break space, say) is a record, and is rejected rather than skipped.
BLANK = " \t\r\f\v"  # loaders.py matches the same characters in SQL


class FramingError(LoadError):
    """A whole file cannot be read (truncated or corrupt compression, an I/O error, a header that
    cannot be parsed). The framers turn it into one file-level reject (see `reject_file`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# A file-level reject's line number: 0 is no line of the file (physical lines count from 1), and
# rejects keep line_number not null, so a reader never meets a null there.
FILE_LINE_NUMBER = 0


@dataclass
class FramedRecords:
    """Columnar buffers of one partition's records, ready to hand to DuckDB as an Arrow table."""

    columns: Sequence[str]
    source_file: list[str] = field(default_factory=list)
    line_number: list[int] = field(default_factory=list)
    raw_text: list[str | None] = field(default_factory=list)
    # A record whose shape is already wrong (short CSV row, undecodable bytes) carries its reason
    # here; DuckDB adds the field-level reasons for the rest.
    frame_error: list[str | None] = field(default_factory=list)
    values: dict[str, list[str | None]] = field(default_factory=dict)
    blank_lines: int = 0
    unreadable_files: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name in self.columns:
            self.values.setdefault(name, [])

    def __len__(self) -> int:
        return len(self.line_number)

    def reject_file(self, name: str, error: FramingError) -> None:
        """The whole file as one reject: line 0, no raw text, the reason it could not be read.

        Nothing of a file that cannot be read whole is loaded, not even the lines before the
        error: a truncated file's last record may be cut at a place that still parses, and a
        failed checksum means any line may be wrong. It counts as one record read and rejected,
        so rows read = loaded + rejected holds, and the re-delivered file replaces it on reload.
        """
        self.source_file.append(name)
        self.line_number.append(FILE_LINE_NUMBER)
        self.raw_text.append(None)
        self.frame_error.append(f"unreadable file: {error.reason}, so none of its lines were loaded")
        for column in self.columns:
            self.values[column].append(None)
        self.unreadable_files.append(name)

    def to_arrow(self) -> pa.Table:
        arrays = {
            "_source_file": pa.array(self.source_file, pa.string()),
            "_line_number": pa.array(self.line_number, pa.int64()),
            "_raw_text": pa.array(self.raw_text, pa.string()),
            "_frame_error": pa.array(self.frame_error, pa.string()),
        }
        for name in self.columns:
            arrays[name] = pa.array(self.values[name], pa.string())
        return pa.table(arrays)


def list_files(folder: Path, kind: str) -> list[Path]:
    """Data files of one partition folder, in a stable order; hidden and temporary files are skipped
    because upstream tools write them while a transfer is still running."""
    if not folder.is_dir():
        return []
    suffixes = EXTENSIONS[kind]
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith((".", "_")) and p.name.lower().endswith(suffixes)
    )


def read_text(path: Path) -> tuple[str, bool]:
    """The file's text and whether it had undecodable bytes (replaced, and rejected per line)."""
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                data = fh.read()
        else:
            data = path.read_bytes()
    except EOFError as exc:  # gzip's "Compressed file ended before the end-of-stream marker ..."
        raise FramingError(f"truncated compressed file ({exc})") from exc
    except (gzip.BadGzipFile, zlib.error) as exc:  # not gzip, a failed CRC, a broken deflate stream
        raise FramingError(f"corrupt compressed file ({exc})") from exc
    except OSError as exc:
        raise FramingError(f"cannot read the file ({exc.strerror or exc})") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), True


def frame_jsonl(paths: Sequence[Path], display_name: dict[Path, str]) -> FramedRecords:
    """One record per non-blank line (its raw text is the JSON, parsed later by DuckDB)."""
    out = FramedRecords(columns=[])
    for path in paths:
        name = display_name[path]
        try:
            text, had_bad_bytes = read_text(path)
        except FramingError as exc:
            out.reject_file(name, exc)
            continue
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # the newline that ends the last line does not start another one
        for number, line in enumerate(lines, start=1):
            line = line.rstrip("\r")
            if not line.strip(BLANK):
                out.blank_lines += 1
                continue
            out.source_file.append(name)
            out.line_number.append(number)
            out.raw_text.append(line)
            out.frame_error.append("line is not valid UTF-8" if had_bad_bytes and "\ufffd" in line else None)
    return out


def _normalise_header(name: str) -> str:
    return name.strip().strip('"').strip().lower()


# Free-text columns (survey comments) can be long; the csv module's 128 KiB default is too small.
csv.field_size_limit(64 * 1024 * 1024)


def _csv_records(lines: list[str]) -> Iterator[tuple[int, int, list[str] | None, str | None]]:
    """(first line, last line, fields, error) of every CSV record, quoted newlines included.

    The reader is strict, so a malformed record is reported instead of guessed at. A quote that is
    never closed would otherwise swallow the records after it: the malformed record's first line
    is rejected alone and reading resumes on the next line, so the records behind it still load.
    """
    offset = 0  # lines consumed before the current reader started
    while offset < len(lines):
        reader = csv.reader(io.StringIO("".join(lines[offset:]), newline=""), strict=True)
        previous_end = 0
        restart_at = None
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                first = offset + previous_end + 1
                last = offset + reader.line_num
                if last > first or "unexpected end of data" in str(exc):
                    # An open quote ran over several lines: blame its first line alone and read
                    # the lines it swallowed again as records of their own.
                    yield first, first, None, "unparsable CSV record: unclosed or stray quote"
                    restart_at = first
                    break
                yield first, first, None, f"unparsable CSV record: {exc}"
            else:
                yield offset + previous_end + 1, offset + reader.line_num, fields, None
            previous_end = reader.line_num
        if restart_at is None:
            return
        offset = restart_at


def frame_csv(paths: Sequence[Path], display_name: dict[Path, str], columns: Sequence[str]) -> FramedRecords:
    """Records of CSV files with a header, mapped to the contract's columns by header name.

    A record with a different number of fields than its header, or any record of a file whose
    header lacks a contract column, is framed with a reason so that it is rejected, not guessed at.
    """
    out = FramedRecords(columns=list(columns))
    for path in paths:
        name = display_name[path]
        try:
            text, had_bad_bytes = read_text(path)
        except FramingError as exc:
            out.reject_file(name, exc)
            continue
        lines = io.StringIO(text, newline="").readlines()
        records = _csv_records(lines)
        first_record = next(records, None)
        if first_record is None:
            continue  # an empty file holds no records
        header_fields, header_error = first_record[2], first_record[3]
        if header_fields is None:
            # without a header no record can be mapped to its columns
            out.reject_file(name, FramingError(f"cannot read the header ({header_error})"))
            continue
        header = [_normalise_header(h) for h in header_fields]
        missing = [c for c in columns if c not in header]
        file_error = f"file header lacks column(s): {', '.join(missing)}" if missing else None
        positions = [header.index(c) if c in header else None for c in columns]
        width = len(header)
        for first, last, fields, parse_error in records:
            raw = "".join(lines[first - 1 : last]).rstrip("\r\n")
            if fields is not None and (not fields or (len(fields) == 1 and not fields[0].strip())):
                out.blank_lines += 1
                continue
            error = parse_error or file_error
            if error is None and len(fields) != width:
                error = f"expected {width} fields as in the header, got {len(fields)}"
            if error is None and had_bad_bytes and "\ufffd" in raw:
                error = "record is not valid UTF-8"
            out.source_file.append(name)
            out.line_number.append(first)
            out.raw_text.append(raw)
            out.frame_error.append(error)
            for column, pos in zip(columns, positions, strict=True):
                value = fields[pos] if fields is not None and pos is not None and pos < len(fields) else None
                out.values[column].append(value if value is None or value.strip() else None)
    return out
