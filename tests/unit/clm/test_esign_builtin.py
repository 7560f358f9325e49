from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from clm_core.errors import SignatureError
from clm_core.esign.builtin import BuiltinSignatureProvider
from clm_core.esign.provider import SignerSpec
from clm_core.store import tables as t

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)
SHA = "a" * 64


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    t.Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([t.Organisation(id=1, code="o", name="O"),
                   t.User(id=1, username="u", display_name="U", email="u@x", organisation_id=1, roles=[]),
                   t.ContractType(code="nda", name="NDA", playbook="nda", attributes=[]),
                   t.Template(key="k", contract_type="nda", title="T", spec={})])
        s.add(t.Contract(id=1, number="N-1", organisation_id=1, contract_type="nda", template_key="k", title="x",
                         status="Approved", owner_id=1, created_at=NOW, updated_at=NOW))
        s.flush()
        yield s


def envelope(session, provider):
    env = provider.create_envelope(session, contract_id=1, version_no=1, document_sha256=SHA, now=NOW, signers=[
        SignerSpec(1, "external", "Vera", "vera@v"), SignerSpec(2, "internal", "Ian", "ian@i", 1)])
    return env, provider.send(session, env, now=NOW)


def test_order_hash_and_completion(session):
    p = BuiltinSignatureProvider("secret-123456")
    env, invites = envelope(session, p)
    assert [i.email for i in invites] == ["vera@v"]
    p.open(session, invites[0].token, now=NOW)
    assert session.get(t.Envelope, env).status == "delivered"
    first = p.sign(session, invites[0].token, document_sha256=SHA, now=NOW)
    assert first.envelope_status == "signed" and [i.email for i in first.next_invitations] == ["ian@i"]
    with pytest.raises(SignatureError) as again:
        p.sign(session, invites[0].token, document_sha256=SHA, now=NOW)
    assert again.value.code == "already_signed"
    done = p.sign(session, first.next_invitations[0].token, document_sha256=SHA, now=NOW)
    assert done.envelope_status == "completed"
    signers = session.get(t.Envelope, env).signers
    assert all(s.signed_sha256 == SHA and p.verify_signature(session, s.id) for s in signers)
    signers[0].signed_sha256 = "b" * 64  # moving a signature to another document breaks it
    assert not p.verify_signature(session, signers[0].id)


def test_token_forgery_expiry_and_other_secret(session):
    p = BuiltinSignatureProvider("secret-123456", timedelta(hours=1))
    _, invites = envelope(session, p)
    token = invites[0].token
    with pytest.raises(SignatureError) as expired:
        p.sign(session, token, document_sha256=SHA, now=NOW + timedelta(hours=1))
    assert expired.value.code == "token_expired"
    with pytest.raises(SignatureError) as other:
        BuiltinSignatureProvider("another-secret").sign(session, token, document_sha256=SHA, now=NOW)
    assert other.value.code == "invalid_token"
    with pytest.raises(SignatureError):
        p.sign(session, "garbage", document_sha256=SHA, now=NOW)
    # a token for signer 2 cannot be forged from signer 1's
    payload, mac = token.rsplit(".", 1)
    with pytest.raises(SignatureError):
        p.sign(session, payload.replace("A", "B", 1) + "." + mac, document_sha256=SHA, now=NOW)


def test_internal_signer_cannot_jump_the_queue(session):
    p = BuiltinSignatureProvider("secret-123456")
    env, _ = envelope(session, p)
    internal = next(s for s in session.get(t.Envelope, env).signers if s.side == "internal")
    token, _ = p.issue_token(env, internal.id, NOW)
    with pytest.raises(SignatureError) as exc:
        p.sign(session, token, document_sha256=SHA, now=NOW)
    assert exc.value.code == "out_of_order"


def test_void_and_decline(session):
    p = BuiltinSignatureProvider("secret-123456")
    env, invites = envelope(session, p)
    p.decline(session, invites[0].token, reason="no", now=NOW)
    assert session.get(t.Envelope, env).status == "declined"
    env2, invites2 = envelope(session, p)
    p.void(session, env2, reason="wrong", now=NOW)
    with pytest.raises(SignatureError) as exc:
        p.open(session, invites2[0].token, now=NOW)
    assert exc.value.code == "envelope_voided"
    with pytest.raises(SignatureError):
        p.void(session, env2, reason="again", now=NOW)
