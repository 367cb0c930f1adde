"""Content Credentials: a clip signed at test time with a CA and leaf certificate made here."""

from __future__ import annotations

import datetime
import json
import subprocess
from pathlib import Path

import pytest

from provenance import credentials
from tests import synthetic

c2pa = pytest.importorskip("c2pa")
x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: E402


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Provenance Test Newsroom")])


def _usage(sign_certs: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=False,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=sign_certs, crl_sign=sign_certs, encipher_only=False,
                         decipher_only=False)


def _certificates() -> tuple[bytes, bytes, bytes]:
    """(leaf + CA chain PEM, leaf private key PEM, CA PEM): an EC P-256 CA and a leaf with the
    extensions C2PA requires of a signer (key usage, email-protection EKU, key identifiers)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def base(subject: x509.Name, issuer: x509.Name, public: ec.EllipticCurvePublicKey
             ) -> x509.CertificateBuilder:
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                .public_key(public).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=30))
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False))

    ca = (base(_name("Test Root CA"), _name("Test Root CA"), ca_key.public_key())
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(_usage(True), critical=True).sign(ca_key, hashes.SHA256()))
    leaf = (base(_name("Newsroom Camera 7"), ca.subject, key.public_key())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    private = key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return leaf.public_bytes(pem) + ca.public_bytes(pem), private, ca.public_bytes(pem)


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, bytes]:
    """(unsigned clip, signed clip, tampered signed clip, CA PEM)."""
    root = tmp_path_factory.mktemp("c2pa")
    clip, out, tampered = root / "clip.mp4", root / "signed.mp4", root / "tampered.mp4"
    subprocess.run([synthetic.ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "mandelbrot=s=320x180:r=10", "-t", "3", "-pix_fmt", "yuv420p", str(clip)],
                   check=True)
    chain, private, ca = _certificates()
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", chain, private, None))
    manifest = {"claim_generator_info": [{"name": "newsroom-capture", "version": "2.1"}],
                "title": "clip.mp4",
                "assertions": [{"label": "c2pa.actions", "data": {"actions": [
                    {"action": "c2pa.created", "digitalSourceType":
                     "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"},
                    {"action": "c2pa.cropped"}]}}]}
    with c2pa.Builder(json.dumps(manifest)) as builder:
        builder.sign_file(str(clip), str(out), signer)
    data = bytearray(out.read_bytes())
    middle = len(data) // 2  # inside the picture data (mdat), covered by the manifest's hash
    data[middle] ^= 0xFF
    tampered.write_bytes(bytes(data))
    return clip, out, tampered, ca


def test_signed_clip_is_read(signed: tuple[Path, Path, Path, bytes]) -> None:
    found = credentials.read_credentials(signed[1])
    assert found.state == "valid"
    assert found.signer == "Newsroom Camera 7"
    assert found.issuer == "Provenance Test Newsroom"
    assert found.claim_generator == "newsroom-capture 2.1"
    assert found.actions == ("created", "cropped")
    assert "untrusted" in found.summary


def test_trust_anchor_makes_it_trusted(signed: tuple[Path, Path, Path, bytes]) -> None:
    assert credentials.read_credentials(signed[1], trust_anchors=signed[3]).state == "trusted"


def test_tampered_clip_is_invalid(signed: tuple[Path, Path, Path, bytes]) -> None:
    found = credentials.read_credentials(signed[2])
    assert found.state == "invalid"
    assert found.summary.startswith("INVALID")
    assert any("mismatch" in problem for problem in found.problems)


def test_unsigned_clip_has_none(signed: tuple[Path, Path, Path, bytes]) -> None:
    assert credentials.read_credentials(signed[0]).state == "absent"


def test_manifest_in_json_and_html_reports(signed: tuple[Path, Path, Path, bytes],
                                           library_path: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from provenance.cli import main

    for clip, state, words in ((signed[1], "valid", "Newsroom Camera 7"),
                               (signed[2], "invalid", "INVALID Content Credentials")):
        report = tmp_path / f"{state}.html"
        result = CliRunner().invoke(main, ["verify", str(clip), "--db", str(library_path),
                                           "--json", "--report", str(report)])
        assert result.exit_code == 0, result.stderr
        found = json.loads(result.stdout)["content_credentials"]
        assert found["state"] == state
        assert found["signer"] == "Newsroom Camera 7"
        assert found["actions"] == ["created", "cropped"]
        html = report.read_text("utf-8")
        assert f"Content Credentials ({state})" in html
        assert words in html


def test_trust_anchors_from_the_environment(signed: tuple[Path, Path, Path, bytes],
                                            library_path: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from provenance.cli import main

    anchors = tmp_path / "anchors.pem"
    anchors.write_bytes(signed[3])
    monkeypatch.setenv("PROVENANCE_TRUST_ANCHORS", str(anchors))
    result = CliRunner().invoke(main, ["verify", str(signed[1]), "--db", str(library_path),
                                       "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["content_credentials"]["state"] == "trusted"
    monkeypatch.setenv("PROVENANCE_TRUST_ANCHORS", str(tmp_path / "missing.pem"))
    failed = CliRunner().invoke(main, ["verify", str(signed[1]), "--db", str(library_path)])
    assert failed.exit_code == 2
    assert "trust anchors file" in failed.stderr
