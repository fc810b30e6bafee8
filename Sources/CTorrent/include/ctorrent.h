// A small C API over libtorrent-rasterbar 2.0 for Swift (Sources/Torrents).
// Nothing here throws: every failure comes back as a code plus a message in `at_error`.
#ifndef ALIEN_CTORRENT_H
#define ALIEN_CTORRENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Error codes (0 is success).
enum {
    AT_OK = 0,
    AT_ERR_INVALID_ARGUMENT = 1,
    AT_ERR_IO = 2,
    AT_ERR_TORRENT = 3,
    AT_ERR_SESSION = 4,
    AT_ERR_NOT_FOUND = 5,
    AT_ERR_INTERNAL = 6,
    AT_ERR_BUSY = 7,
};

typedef struct at_error {
    int code;
    char message[512];
} at_error;

/// Torrent format: v1 only (aria2c and older clients), v2 only, or hybrid v1+v2.
enum { AT_VERSION_V1 = 1, AT_VERSION_V2 = 2, AT_VERSION_HYBRID = 3 };

typedef struct at_create_options {
    const char *file_path;            ///< the single file the torrent describes
    int version;                      ///< AT_VERSION_*
    int piece_length;                 ///< 0: libtorrent picks; else a power of two >= 16 KiB
    const char *const *web_seeds;     ///< BEP 19 URLs (the file's full URL)
    int web_seed_count;
    const char *const *trackers;      ///< announce URLs, one tier each
    int tracker_count;
    int is_private;
} at_create_options;

typedef struct at_created {
    uint8_t *bytes;                   ///< bencoded metainfo; free with at_free
    size_t length;
    char info_hash_v1[41];            ///< hex, empty for v2-only
    char info_hash_v2[65];            ///< hex, empty for v1-only
} at_created;

/// Hashes the file and builds the metainfo. Returns AT_OK or an error code (with `error`).
int at_create_torrent(const at_create_options *options, at_created *out, at_error *error);

/// Reads a metainfo through libtorrent: the info-hashes, total length and piece length.
int at_inspect_torrent(const uint8_t *bytes, size_t length, char info_hash_v1[41], char info_hash_v2[65],
                       int64_t *total_length, int *piece_length, at_error *error);

void at_free(void *pointer);

typedef struct at_session at_session;

typedef struct at_session_settings {
    const char *listen_interfaces;    ///< libtorrent syntax, e.g. "127.0.0.1:6881" or "0.0.0.0:0"
    int upload_rate_limit;            ///< bytes/s, 0 = unlimited
    int download_rate_limit;          ///< bytes/s, 0 = unlimited
    int enable_lsd;
    int enable_dht;
    int enable_utp;
    int active_limit;                 ///< max active torrents, 0 = libtorrent default
    int web_seed_retry_seconds;       ///< wait before retrying a failed web seed, 0 = default
    int connections_limit;            ///< max peer connections of the session, 0 = libtorrent default
} at_session_settings;

/// One session per process. NULL on failure (with `error`).
at_session *at_session_new(const at_session_settings *settings, at_error *error);
/// The port the session listens on (0 while not yet listening).
int at_session_listen_port(at_session *session);

/// Adds a torrent. `file_path` is where the single file lives (seeding) or goes (downloading).
/// `seed_mode` trusts an existing complete file without re-hashing it.
/// `extra_web_seeds`: further URLs for the file. Returns a torrent id >= 0, or -1 (with `error`).
int at_session_add(at_session *session, const uint8_t *torrent, size_t length, const char *file_path, int seed_mode,
                   const char *const *extra_web_seeds, int extra_web_seed_count, at_error *error);
/// Connects the torrent to a peer ("host:port", IPv4 or IPv6 literal).
int at_session_connect_peer(at_session *session, int torrent_id, const char *host, int port, at_error *error);

/// Adds (`enabled` 1) or removes (0) web seed URLs of a torrent.
int at_session_set_web_seeds(at_session *session, int torrent_id, const char *const *urls, int count, int enabled, at_error *error);

enum {
    AT_STATE_CHECKING = 1,
    AT_STATE_DOWNLOADING_METADATA = 2,
    AT_STATE_DOWNLOADING = 3,
    AT_STATE_FINISHED = 4,
    AT_STATE_SEEDING = 5,
    AT_STATE_CHECKING_RESUME = 7,
};

typedef struct at_status {
    int64_t total_done;               ///< verified bytes we have
    int64_t total_wanted;
    int64_t total_upload;             ///< payload bytes uploaded by this session
    int64_t total_download;           ///< payload bytes downloaded by this session
    int num_peers;
    int num_seeds;
    int state;                        ///< AT_STATE_*
    int is_finished;
    int paused;
    int download_rate;
    int upload_rate;
    char error[256];                  ///< empty when fine
} at_status;

int at_session_status(at_session *session, int torrent_id, at_status *out, at_error *error);

enum {
    AT_ALERT_FINISHED = 1,            ///< all pieces downloaded and verified
    AT_ALERT_ERROR = 2,               ///< torrent error (file, disk)
    AT_ALERT_HASH_FAILED = 3,         ///< a piece failed its hash check
    AT_ALERT_TRACKER_ERROR = 4,
    AT_ALERT_WEB_SEED_ERROR = 5,
    AT_ALERT_PEER_BANNED = 6,
    AT_ALERT_LISTEN_FAILED = 7,
    AT_ALERT_REMOVED = 8,
    AT_ALERT_CACHE_FLUSHED = 9,       ///< what was downloaded before `at_session_flush` is on disk
};

typedef struct at_alert {
    int kind;                         ///< AT_ALERT_*
    int torrent_id;                   ///< -1 when not about a torrent
    char message[384];
} at_alert;

/// Copies up to `capacity` pending alerts of the kinds above into `out`; returns how many.
int at_session_pop_alerts(at_session *session, at_alert *out, int capacity);

/// The swarm around a torrent, as this session sees it.
typedef struct at_swarm {
    int num_pieces;
    int piece_length;
    int pieces_have;
    int peers;                        ///< connected BitTorrent peers past the handshake (web seeds not counted)
    int list_peers;                   ///< peers known (trackers, given, incoming), connected or not
    int connect_candidates;           ///< known peers worth (re)trying
    int tracker_swarm;                ///< seeds + downloaders a tracker reported, -1 before any answer
    int trackers;
    int trackers_answered;            ///< trackers that answered an announce
    int trackers_failed;              ///< trackers whose announces failed and that never answered
    char tracker_error[256];          ///< the last tracker failure, empty when none
} at_swarm;

/// Fills `out`; with `availability` (at least `capacity` ints, capacity >= num_pieces), for each
/// piece: -1 when we have it, else how many connected BitTorrent peers have it.
int at_session_swarm(at_session *session, int torrent_id, at_swarm *out, int *availability, int capacity, at_error *error);

/// Fetches pieces `piece` ..< `piece + count` of the torrent's single file from `url` (the whole
/// file's URL; one HTTP Range request for their bytes, at most 64 MiB) on a background thread,
/// and hands each piece to libtorrent as if a peer had sent it (hash-checked: a bad piece is a
/// hash failure alert). One fetch at a time per torrent (AT_ERR_BUSY while one runs); the
/// connection is kept for the next fetch. `stall_seconds`: give up when under 1 byte/s for that long.
int at_session_fetch_pieces(at_session *session, int torrent_id, int piece, int count, const char *url, int stall_seconds, at_error *error);

typedef struct at_fetch_status {
    int active;                       ///< a fetch is running
    int piece;                        ///< the first piece of the running (or last) fetch, -1 before any
    int64_t bytes;                    ///< bytes of the fetches that delivered their piece, plus the running one's so far
    int completed;                    ///< pieces handed to libtorrent
    int failed;                       ///< fetches that failed
    char error[384];                  ///< the last failure ("URL: reason"), empty when none
} at_fetch_status;

int at_session_fetch_status(at_session *session, int torrent_id, at_fetch_status *out, at_error *error);

int at_session_remove(at_session *session, int torrent_id, at_error *error);

/// Asks libtorrent to write what it holds of the torrent to its file (a piece counts as had
/// once verified, which may be before it is written); AT_ALERT_CACHE_FLUSHED tells when done.
int at_session_flush(at_session *session, int torrent_id, at_error *error);

/// Stops the session and frees it, waiting at most `timeout_ms` for trackers to hear about it.
/// Returns 1 when shut down within the time, 0 when the remaining work was left to finish in the background.
int at_session_free(at_session *session, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif
