// What ctorrent.cpp and ctorrent_swarm.cpp share: the session behind the C API's `at_session`,
// error helpers, and the state of a torrent's origin fetches. Not part of the C API.
#ifndef ALIEN_CTORRENT_SESSION_HPP
#define ALIEN_CTORRENT_SESSION_HPP

#include "ctorrent.h"

#include <libtorrent/session.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <curl/curl.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace at_detail {

inline void set_error(at_error *error, int code, const std::string &message) {
    if (!error) return;
    error->code = code;
    std::snprintf(error->message, sizeof error->message, "%s", message.c_str());
}

inline void clear_error(at_error *error) {
    if (!error) return;
    error->code = AT_OK;
    error->message[0] = 0;
}

/// The C API's exception boundary: `body`'s status, or the libtorrent (or other) exception it
/// threw as AT_ERR_TORRENT (AT_ERR_INTERNAL) with its message in `error`.
template <typename Body> int guarded(at_error *error, Body &&body) {
    try {
        return body();
    } catch (const std::exception &e) {
        set_error(error, AT_ERR_TORRENT, e.what());
        return AT_ERR_TORRENT;
    } catch (...) {
        set_error(error, AT_ERR_INTERNAL, "unknown libtorrent failure");
        return AT_ERR_INTERNAL;
    }
}

inline void copy_text(char *out, size_t capacity, const std::string &text) {
    std::snprintf(out, capacity, "%s", text.c_str());
}

/// The origin fetches of one torrent (at_session_fetch_pieces): shared with the fetch thread,
/// which outlives the torrent's removal if it must (it then only updates this).
struct fetch_state {
    std::mutex lock;
    bool active = false;
    int piece = -1;
    std::int64_t bytes = 0;           // of fetches that delivered their piece
    std::int64_t partial = 0;         // of the running fetch
    int completed = 0;
    int failed = 0;
    std::string error;
    CURL *curl = nullptr;             // touched only by the one running fetch; kept for keep-alive

    ~fetch_state() {
        if (curl) curl_easy_cleanup(curl);
    }
};

} // namespace at_detail

struct at_session {
    std::unique_ptr<lt::session> session;
    std::mutex lock;
    std::map<int, lt::torrent_handle> torrents;
    std::map<int, std::shared_ptr<at_detail::fetch_state>> fetches;
    int next_id = 0;

    /// The torrent `id` (the caller holds `lock`), or nullptr with AT_ERR_NOT_FOUND in `error`.
    lt::torrent_handle *torrent(int id, at_error *error) {
        auto found = torrents.find(id);
        if (found != torrents.end()) return &found->second;
        at_detail::set_error(error, AT_ERR_NOT_FOUND, "no torrent " + std::to_string(id));
        return nullptr;
    }

    int id_of(const lt::torrent_handle &handle) {
        for (auto &entry : torrents)
            if (entry.second == handle) return entry.first;
        return -1;
    }
};

#endif
