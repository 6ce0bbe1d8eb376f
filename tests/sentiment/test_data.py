import hashlib

import pytest

from showcase.downloads import RemoteFile, fetch
from showcase.errors import DataError, DownloadError
from showcase.sentiment import data


def test_parse_sst2_lines_reads_labels_and_sentences():
    parsed = data.parse_sst2_lines("1 a stirring , funny film\n\n0 no movement , no yuks .\n")
    assert parsed.texts == ["a stirring , funny film", "no movement , no yuks ."]
    assert parsed.labels == [1, 0]


def test_parse_sst2_lines_names_the_bad_line():
    with pytest.raises(DataError, match="line 2"):
        data.parse_sst2_lines("1 fine\n7 not a label\n", "fixture")


def test_parse_tsv_accepts_header_and_label_words():
    parsed = data.parse_tsv_lines("label\ttext\npos\tgreat\nnegative\tdull\n1\tfun\n")
    assert parsed.labels == [1, 0, 1]
    assert parsed.texts == ["great", "dull", "fun"]


def test_parse_tsv_rejects_unknown_labels_after_the_header():
    with pytest.raises(DataError, match="line 2"):
        data.parse_tsv_lines("pos\tgreat\nmaybe\tso-so\n")


def test_load_splits_from_an_sst_folder(tiny_sst_dir):
    splits = data.load_splits(str(tiny_sst_dir))
    assert [len(splits[s]) for s in ("train", "dev", "test")] == [240, 60, 60]
    assert 0.3 < splits["train"].positive_share() < 0.7


def test_load_splits_from_a_tsv_file_is_seeded_and_disjoint(tmp_path):
    rows = [f"{i % 2}\tsentence number {i}" for i in range(100)]
    path = tmp_path / "mine.tsv"
    path.write_text("\n".join(rows), encoding="utf-8")
    first, second = data.load_splits(str(path)), data.load_splits(str(path))
    assert first["test"].texts == second["test"].texts
    assert [len(first[s]) for s in ("train", "dev", "test")] == [80, 10, 10]
    assert not set(first["train"].texts) & set(first["test"].texts)


def test_load_splits_from_an_aclimdb_folder(tmp_path):
    for split in ("train", "test"):
        for folder, word in (("pos", "great"), ("neg", "awful")):
            (tmp_path / split / folder).mkdir(parents=True)
            for i in range(10):
                (tmp_path / split / folder / f"{i}_7.txt").write_text(
                    f"A {word} movie.<br />Really {i}.", encoding="utf-8"
                )
    splits = data.load_splits(str(tmp_path))
    assert len(splits["train"]) + len(splits["dev"]) == 20
    assert len(splits["test"]) == 20
    assert "<br />" not in splits["test"].texts[0]


def test_unknown_data_and_non_utf8_files_give_clear_errors(tmp_path):
    with pytest.raises(DataError, match="not found"):
        data.load_splits(str(tmp_path / "missing"))
    bad = tmp_path / "latin.tsv"
    bad.write_bytes("1\tcr\xe8me br\xfbl\xe9e\n".encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        data.load_splits(str(bad))


def _remote_for(path, url="http://127.0.0.1:9/never"):
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return RemoteFile(url=url, filename=path.name, sha256=digest)


def test_fetch_uses_a_verified_local_copy(tmp_path):
    local = tmp_path / "stsa.binary.test"
    local.write_text("1 fine\n", encoding="utf-8")
    assert fetch(_remote_for(local), local_path=local) == local
    tampered = RemoteFile(url="http://127.0.0.1:9/x", filename=local.name, sha256="0" * 64)
    with pytest.raises(DownloadError, match="SHA-256"):
        fetch(tampered, local_path=local)


@pytest.mark.parametrize("offline", ["", "1"])
def test_fetch_serves_a_cached_file_without_the_network(tmp_path, monkeypatch, offline):
    monkeypatch.setenv("SHOWCASE_OFFLINE", offline)
    monkeypatch.setenv("SHOWCASE_CACHE", str(tmp_path / "cache"))
    cached = tmp_path / "cache" / "showcase" / "stsa.binary.dev"
    cached.parent.mkdir(parents=True)
    cached.write_text("0 dull\n", encoding="utf-8")
    assert fetch(_remote_for(cached)) == cached


def test_fetch_offline_is_one_line_naming_the_url(tmp_path, monkeypatch):
    monkeypatch.delenv("SHOWCASE_OFFLINE", raising=False)  # a refused connection, via get_file
    monkeypatch.setenv("SHOWCASE_CACHE", str(tmp_path / "cache"))
    remote = RemoteFile(
        url="http://127.0.0.1:9/stsa.binary.train", filename="stsa.binary.train", sha256="0" * 64
    )
    with pytest.raises(DownloadError) as raised:
        fetch(remote)
    message = str(raised.value)
    assert "http://127.0.0.1:9/stsa.binary.train" in message and "--data" in message
    assert "\n" not in message


def test_sst2_download_hashes_are_pinned():
    assert all(len(remote.sha256) == 64 for remote in data.SST2_FILES.values())


def test_offline_mode_fails_at_once_naming_the_url(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOWCASE_CACHE", str(tmp_path / "cache"))
    remote = RemoteFile(url="https://example.invalid/w.h5", filename="w.h5", sha256="0" * 64)
    with pytest.raises(DownloadError, match="SHOWCASE_OFFLINE") as raised:
        fetch(remote)
    assert "https://example.invalid/w.h5" in str(raised.value)
