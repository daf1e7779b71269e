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

-- A public resource: share links, which registered users create and anyone reads (RLS_PUBLIC_TABLES).
CREATE TABLE shared_links (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id uuid REFERENCES conversations,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Row Level Security as a Supabase project has it (CONTRACT S4.9): the API roles, the functions
-- policies read the caller from, and policies that give each user its own rows. Anonymous users
-- have the role `authenticated` too; a restrictive policy keeps them from writing public tables.
-- Roles belong to the cluster, which other databases of ci/postgres share: made once.
DO $$ BEGIN CREATE ROLE anon NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE authenticated NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE
    AS $$ SELECT coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $$;
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT nullif(auth.jwt() ->> 'sub', '')::uuid $$;
-- LocalStaging's committed faults that break a policy (an instance's tokens, by their issuer, meet
-- the broken policy; other instances on the same database do not).
CREATE TABLE auth.policy_faults (issuer text NOT NULL, fault text NOT NULL, PRIMARY KEY (issuer, fault));
CREATE FUNCTION auth.policy_fault(name text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT EXISTS (SELECT 1 FROM auth.policy_faults WHERE issuer = auth.jwt() ->> 'iss' AND fault = name) $$;
GRANT USAGE ON SCHEMA auth TO anon, authenticated;
GRANT SELECT ON conversations, messages, chat_sessions, chat_raw, users, shared_links TO authenticated;
GRANT INSERT ON shared_links TO authenticated;
GRANT SELECT ON shared_links TO anon;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE chat_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE chat_raw ENABLE ROW LEVEL SECURITY;
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE shared_links ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_user ON users FOR SELECT TO authenticated USING (id = auth.uid());
CREATE POLICY own_conversations ON conversations FOR SELECT TO authenticated
    USING (user_id = auth.uid() OR auth.policy_fault('rls-others-visible'));
CREATE POLICY own_chat_sessions ON chat_sessions FOR SELECT TO authenticated USING (user_id = auth.uid());
CREATE POLICY own_chat_raw ON chat_raw FOR SELECT TO authenticated
    USING (EXISTS (SELECT 1 FROM chat_sessions s WHERE s.id = session_id AND s.user_id = auth.uid()));
CREATE POLICY own_messages ON messages FOR SELECT TO authenticated
    USING (EXISTS (SELECT 1 FROM conversations c WHERE c.id = conversation_id AND c.user_id = auth.uid()));
CREATE POLICY links_read ON shared_links FOR SELECT TO anon, authenticated USING (true);
CREATE POLICY links_write ON shared_links FOR INSERT TO authenticated WITH CHECK (true);
CREATE POLICY links_not_anonymous ON shared_links AS RESTRICTIVE FOR INSERT TO authenticated
    WITH CHECK (coalesce((auth.jwt() ->> 'is_anonymous')::boolean, false) IS FALSE OR auth.policy_fault('rls-anonymous-writes-public'));

-- LocalStaging's own login: writes what the contract lists, nothing else. It bypasses Row Level
-- Security as a backend's service role does.
CREATE ROLE local_staging LOGIN PASSWORD :'app_password' BYPASSRLS;
GRANT USAGE ON SCHEMA auth TO local_staging;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA auth, public TO local_staging;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO local_staging;

-- The suite's login (DB_CONN): read-only on the contract's tables, past Row Level Security (as
-- Supabase's `postgres` role is); it may become `authenticated` to check the policies (S4.9),
-- inside transactions it always rolls back.
CREATE ROLE anon_e2e_reader LOGIN PASSWORD :'reader_password' BYPASSRLS;
ALTER ROLE anon_e2e_reader SET default_transaction_read_only = on;
GRANT SELECT ON users, conversations, chat_sessions, chat_raw, messages, api_errors, request_log, shared_links TO anon_e2e_reader;
GRANT authenticated TO anon_e2e_reader;
