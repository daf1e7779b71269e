-- The local stack's schema: CONTRACT.md §5 (public) plus the Supabase Auth
-- subset LocalStaging needs (schema auth). Applied by ci/local-stack as the
-- cluster's superuser; psql variables: :reader_password, :app_password.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE SCHEMA IF NOT EXISTS auth;

CREATE TABLE auth.users (
    id uuid PRIMARY KEY,
    email text UNIQUE,
    encrypted_password text,
    is_anonymous boolean NOT NULL,
    user_metadata jsonb NOT NULL DEFAULT '{}',
    app_metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    last_sign_in_at timestamptz,
    -- NULL until the email is confirmed ("Confirm email" on: sign-up gives no session).
    email_confirmed_at timestamptz
);

-- Deleting the row is signing out: the API checks session_id against this table.
CREATE TABLE auth.sessions (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES auth.users ON DELETE CASCADE,
    amr_method text NOT NULL CHECK (amr_method IN ('anonymous', 'password')),
    amr_timestamp bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE auth.refresh_tokens (
    token text PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES auth.sessions ON DELETE CASCADE,
    -- The token this one replaced: its reuse is GoTrue's idempotent refresh.
    parent text,
    revoked boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id uuid PRIMARY KEY,
    is_anonymous boolean NOT NULL,
    email text,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz
);

CREATE TABLE conversations (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users,
    user_type text NOT NULL CHECK (user_type IN ('anonymous', 'registered')),
    title text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE chat_sessions (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users,
    conversation_id uuid NOT NULL UNIQUE REFERENCES conversations,
    message_count int NOT NULL CHECK (message_count >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    db_updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE chat_raw (
    id bigserial PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES chat_sessions,
    role text NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content text,
    model text,
    final_markdown text,
    is_final boolean NOT NULL DEFAULT false,
    trace_id text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chat_raw_trace ON chat_raw (trace_id);

CREATE TABLE messages (
    id uuid PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES conversations,
    role text NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content text,
    trace_id text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_trace ON messages (trace_id);

CREATE TABLE api_errors (
    id bigserial PRIMARY KEY,
    status int NOT NULL,
    code text NOT NULL,
    trace_id text,
    user_id uuid,
    route text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_errors_trace ON api_errors (trace_id);

CREATE TABLE request_log (
    id bigserial PRIMARY KEY,
    trace_id text,
    user_id uuid,
    user_type text CHECK (user_type IN ('anonymous', 'registered')),
    route text,
    status int,
    duration_ms int,
    err_code text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX request_log_trace ON request_log (trace_id);

-- LocalStaging's own login: writes what the contract lists, nothing else.
CREATE ROLE local_staging LOGIN PASSWORD :'app_password';
GRANT USAGE ON SCHEMA auth TO local_staging;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA auth, public TO local_staging;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO local_staging;

-- The suite's login (DB_CONN): read-only on the contract's tables.
CREATE ROLE anon_e2e_reader LOGIN PASSWORD :'reader_password';
ALTER ROLE anon_e2e_reader SET default_transaction_read_only = on;
GRANT SELECT ON users, conversations, chat_sessions, chat_raw, messages, api_errors, request_log TO anon_e2e_reader;
