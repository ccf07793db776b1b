-- chainmatch embedded store: SQLite is the record of truth.
-- Each entity keeps its full JSON document plus the columns queries filter on;
-- `hash` is the content hash that makes re-imports of unchanged data no-ops.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS regions (id TEXT PRIMARY KEY, doc TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clusters (id TEXT PRIMARY KEY, doc TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chains (id TEXT PRIMARY KEY, doc TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS segments (id TEXT PRIMARY KEY, doc TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS segment_edges (
    id TEXT PRIMARY KEY,            -- upstream + '>' + downstream
    upstream TEXT NOT NULL,
    downstream TEXT NOT NULL,
    doc TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS orgs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    uscc TEXT UNIQUE,
    name_key TEXT NOT NULL,
    city_key TEXT NOT NULL,
    region TEXT,
    doc TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orgs_name_city ON orgs (name_key, city_key);
CREATE INDEX IF NOT EXISTS orgs_region ON orgs (region);
CREATE INDEX IF NOT EXISTS orgs_kind ON orgs (kind);
CREATE TABLE IF NOT EXISTS org_segments (
    org_id TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (org_id, segment_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS org_segments_segment ON org_segments (segment_id);
CREATE TABLE IF NOT EXISTS org_names (
    name TEXT NOT NULL,
    org_id TEXT NOT NULL,
    PRIMARY KEY (name, org_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS links (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    src TEXT NOT NULL,
    dst TEXT NOT NULL,
    since TEXT,
    doc TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS links_src ON links (src);
CREATE INDEX IF NOT EXISTS links_dst ON links (dst);
CREATE INDEX IF NOT EXISTS links_kind ON links (kind);
