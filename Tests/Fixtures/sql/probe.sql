-- The throwaway database the offline libpq tests read (ci/test loads it).
-- psql variable :reader_password is the read-only role's password.
DROP DATABASE IF EXISTS anon_e2e_probe;
DROP ROLE IF EXISTS anon_probe_reader;
CREATE ROLE anon_probe_reader LOGIN PASSWORD :'reader_password';
CREATE DATABASE anon_e2e_probe;
\connect anon_e2e_probe
CREATE TABLE probe (
    id int PRIMARY KEY,
    name text,
    ok boolean NOT NULL,
    uid uuid,
    at timestamptz
);
INSERT INTO probe VALUES
    (1, 'first', true, '8d2f4c8e-6a3b-4f0e-9a51-3c1b2d4e5f60', '2026-11-23 09:30:57.123456+00'),
    (2, NULL, false, NULL, NULL);
-- Granting write rights proves the session refuses writes by itself, not by the role.
GRANT SELECT, INSERT, UPDATE, DELETE ON probe TO anon_probe_reader;
