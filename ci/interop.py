"""Interoperability check: clients nobody here wrote talk to LocalStaging.

Run by ci/interop against a running local stack (its environment block in the
process environment). Any mismatch is a LocalStaging bug.
"""
import json
import os
import sys
import threading
import time
import uuid

import httpx
import jwt
import socketio
from httpx_sse import connect_sse
from supabase import create_client

URL = os.environ["SUPABASE_URL"]
KEY = os.environ["SUPABASE_ANON_KEY"]
API = os.environ["API_BASE"]

results = []


def check(name):
    def wrap(fn):
        try:
            fn()
            results.append((name, True, ""))
            print(f"  ok    {name}", flush=True)
        except Exception as error:  # noqa: BLE001 - every failure is reported, not raised
            results.append((name, False, repr(error)))
            print(f"  FAIL  {name}: {error!r}", flush=True)
        return fn
    return wrap


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


state = {}


@check("supabase-py: anonymous sign-in, get_user, refresh rotation and reuse, sign-out")
def supabase_anonymous():
    client = create_client(URL, KEY)
    response = client.auth.sign_in_anonymously()
    session = response.session
    expect(session is not None and session.access_token, "no session from sign_in_anonymously")
    expect(response.user.is_anonymous is True, f"is_anonymous is {response.user.is_anonymous}")
    state["anon_token"] = session.access_token
    user = client.auth.get_user(session.access_token).user
    expect(user.id == response.user.id, "get_user returned another user")
    old_refresh = session.refresh_token
    refreshed = client.auth.refresh_session(old_refresh).session
    expect(refreshed.refresh_token != old_refresh, "refresh did not rotate the refresh token")
    expect(jwt.decode(refreshed.access_token, options={"verify_signature": False})["session_id"]
           == jwt.decode(session.access_token, options={"verify_signature": False})["session_id"], "refresh changed session_id")
    # GoTrue's idempotent refresh (two tabs refreshing at once): the parent of the active token,
    # reused, is answered with the active one. (An older token's refusal is StagingAuthTests/refreshRotates'.)
    again = create_client(URL, KEY).auth.refresh_session(old_refresh).session
    expect(again.refresh_token == refreshed.refresh_token, "reusing the parent refresh token did not answer the active one")
    client.auth.sign_out()
    me = httpx.get(f"{URL}/auth/v1/user", headers={"apikey": KEY, "Authorization": f"Bearer {refreshed.access_token}"})
    expect(me.status_code == 403, f"/user after sign-out answered {me.status_code}")


@check("supabase-py: password sign-up, sign-in, sign-out")
def supabase_password():
    client = create_client(URL, KEY)
    email = f"interop-{uuid.uuid4().hex[:10]}@local.test"
    signed_up = client.auth.sign_up({"email": email, "password": "correct horse battery"})
    expect(signed_up.session is not None and signed_up.user.email == email, "sign_up gave no session")
    expect(signed_up.user.is_anonymous is False, "a password user is anonymous")
    signed_in = create_client(URL, KEY).auth.sign_in_with_password({"email": email, "password": "correct horse battery"})
    expect(signed_in.session is not None, "sign_in_with_password gave no session")
    try:
        create_client(URL, KEY).auth.sign_in_with_password({"email": email, "password": "wrong password!"})
        raise AssertionError("a wrong password was accepted")
    except Exception as error:
        expect("invalid" in str(error).lower(), f"unexpected refusal: {error!r}")
    client.auth.sign_out()


@check("PyJWT: the access token verifies against the JWKS (ES256, kid, aud, iss)")
def pyjwt_jwks():
    token = state["anon_token"]
    jwks = jwt.PyJWKClient(f"{URL}/auth/v1/.well-known/jwks.json")
    key = jwks.get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["ES256"], audience="authenticated", issuer=f"{URL}/auth/v1")
    expect(claims["is_anonymous"] is True and claims["role"] == "authenticated", f"claims: {claims}")
    expect(claims["amr"][0]["method"] == "anonymous", f"amr: {claims['amr']}")


@check("httpx-sse: a whole message stream, deltas joining to final.content")
def httpx_sse_stream():
    token = create_client(URL, KEY).auth.sign_in_anonymously().session.access_token
    trace = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream", "X-Trace-Id": trace}
    with httpx.Client(timeout=30) as client:
        with connect_sse(client, "POST", f"{API}/api/v1/messages", headers=headers,
                         json={"messages": [{"role": "user", "content": "hello"}]}) as source:
            expect(source.response.headers["x-trace-id"] == trace, "X-Trace-Id not echoed")
            # httpx-sse dispatches an empty "message" on the blank line after a ": ping" once an id
            # was seen (WHATWG dispatches nothing without data): those are pings, not frames.
            events = [(event.event, event.id, json.loads(event.data)) for event in source.iter_sse() if event.data]
    kinds = [kind for kind, _, _ in events]
    expect(kinds[0] == "meta" and kinds[-1] == "final" and set(kinds[1:-1]) == {"delta"}, f"event order: {kinds}")
    ids = [int(event_id) for _, event_id, _ in events]
    expect(ids == sorted(set(ids)), f"ids not increasing: {ids}")
    deltas = "".join(data["delta"] for kind, _, data in events if kind == "delta")
    expect(deltas == events[-1][2]["content"], "deltas do not join to final.content")


@check("python-socketio: connects with a token, gets agent:thought then agent:result; refused without one")
def socketio_client():
    token = create_client(URL, KEY).auth.sign_in_anonymously().session.access_token
    client = socketio.Client(reconnection=False)
    received = []
    done = threading.Event()

    @client.on("agent:thought")
    def thought(data):
        received.append(("agent:thought", data))

    @client.on("agent:result")
    def result(data):
        received.append(("agent:result", data))
        done.set()

    client.connect(API, socketio_path="/ws", transports=["polling"], auth={"token": token},
                   headers={"Origin": "http://localhost:3000"}, wait_timeout=10)
    client.emit("message", {"content": "hello"})
    expect(done.wait(10), "no agent:result within 10 s")
    client.disconnect()
    expect([name for name, _ in received] == ["agent:thought", "agent:result"], f"events: {received}")
    expect(received[-1][1]["data"]["content"] and received[-1][1]["type"], f"payload: {received[-1][1]}")

    refused = socketio.Client(reconnection=False)
    try:
        refused.connect(API, socketio_path="/ws", transports=["polling"], auth={}, wait_timeout=10)
        refused.disconnect()
        raise AssertionError("connected without a token")
    except socketio.exceptions.ConnectionError:
        pass


failed = [name for name, ok, _ in results if not ok]
print(f"interop: {len(results) - len(failed)} passed, {len(failed)} failed", flush=True)
sys.exit(1 if failed else 0)
