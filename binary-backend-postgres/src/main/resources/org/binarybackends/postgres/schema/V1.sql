-- binary-backends schema, version 1. ${schema} is the configured schema, a quoted identifier.
-- Additive only from here on: a later version adds, never drops or renames, so that the previous
-- version of the library keeps running against it during a rolling upgrade.
CREATE SCHEMA IF NOT EXISTS ${schema};

CREATE TABLE IF NOT EXISTS ${schema}.schema_version (
  version    integer     PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  applied_by text        NOT NULL
);

-- One row per organization: its activation state as StateCodec writes it, a JSON document (settings
-- sealed with AES-256-GCM: the database never holds a secret in clear; kept as text, not jsonb, so
-- that a write is not parsed again: cast it to jsonb to query it), the last transition of that
-- state (what the next write's audit rows start after), its version for compare-and-set, when it is
-- checked next, and the lease of the one instance checking it (fencing: one more per claim).
CREATE TABLE ${schema}.organization_state (
  organization     text        PRIMARY KEY,
  version          bigint      NOT NULL CHECK (version > 0),
  document         text        NOT NULL,
  last_at          text,
  last_actor       text,
  last_change      text,
  last_reason      text,
  updated_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  next_check       timestamptz,
  check_attempts   integer     NOT NULL DEFAULT 0,
  lease_holder     text,
  lease_claimed_at timestamptz,
  lease_until      timestamptz,
  fencing          bigint      NOT NULL DEFAULT 0
);
CREATE INDEX organization_state_updated_at ON ${schema}.organization_state (updated_at);
CREATE INDEX organization_state_next_check ON ${schema}.organization_state (next_check)
  WHERE next_check IS NOT NULL;

-- Every transition ever stored, in full (the state keeps only its recent history).
CREATE TABLE ${schema}.organization_audit (
  id           bigserial   PRIMARY KEY,
  organization text        NOT NULL,
  version      bigint      NOT NULL,
  at           timestamptz NOT NULL,
  actor        text        NOT NULL,
  change       text        NOT NULL,
  reason       text        NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX organization_audit_by_organization ON ${schema}.organization_audit (organization, id);
CREATE INDEX organization_audit_recorded_at ON ${schema}.organization_audit (recorded_at);

-- Backends' shared notes (which CloudFront key signs, ...): small, per organization and name.
CREATE TABLE ${schema}.note (
  organization text   NOT NULL,
  name         text   NOT NULL,
  value        text   NOT NULL,
  version      bigint NOT NULL CHECK (version > 0),
  PRIMARY KEY (organization, name)
);
