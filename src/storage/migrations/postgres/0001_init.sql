-- medfaq schema 1 (PostgreSQL). No table has a user id column, by design.

-- A server's own choices; NULL means "the config's default".
CREATE TABLE guild_settings (
    guild_id BIGINT PRIMARY KEY,
    region TEXT,
    answers_public BOOLEAN,
    answer_mentions BOOLEAN,
    moderator_channel_id BIGINT,
    moderator_role_id BIGINT,
    unanswered_log BOOLEAN,
    unanswered_retention_days INTEGER,
    updated_at BIGINT NOT NULL
);

-- Feedback button presses. entry_id NULL: feedback on "I don't have an answer";
-- guild_id NULL: a direct message.
CREATE TABLE feedback (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('helpful', 'not_helpful', 'report')),
    comment TEXT,
    region TEXT,
    guild_id BIGINT,
    at BIGINT NOT NULL
);
CREATE INDEX feedback_at ON feedback (at);
CREATE INDEX feedback_guild ON feedback (guild_id);

-- Answers served per entry, server (0: direct messages) and hour.
CREATE TABLE served (
    entry_id TEXT NOT NULL,
    guild_id BIGINT NOT NULL,
    hour BIGINT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (entry_id, guild_id, hour)
);
CREATE INDEX served_guild ON served (guild_id);
CREATE INDEX served_hour ON served (hour);

-- The opt-in log: questions with no answer, and "did you mean" picks.
CREATE TABLE unanswered (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    question TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX unanswered_guild_at ON unanswered (guild_id, at);

CREATE TABLE picks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    question TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX picks_guild_at ON picks (guild_id, at);
