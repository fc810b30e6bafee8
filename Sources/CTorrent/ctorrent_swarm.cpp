// The swarm half of the C API (include/ctorrent.h): what a torrent's peers have, and pieces
// fetched from the origin by HTTP Range requests (libcurl) on a background thread, handed to
// libtorrent like a peer's. Every entry point catches everything.
#include "session.hpp"

#include <libtorrent/peer_info.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include <algorithm>
#include <thread>
#include <vector>

using namespace at_detail;

namespace {

struct fetch_sink {
    std::vector<char> data;
    std::size_t limit = 0;
    bool overflow = false;
    fetch_state *state = nullptr;
};

size_t fetch_write(char *bytes, size_t size, size_t count, void *context) {
    auto *sink = static_cast<fetch_sink *>(context);
    size_t n = size * count;
    if (sink->data.size() + n > sink->limit) {
        sink->overflow = true;
        return 0;
    }
    sink->data.insert(sink->data.end(), bytes, bytes + n);
    std::lock_guard<std::mutex> guard(sink->state->lock);
    sink->state->partial += static_cast<std::int64_t>(n);
    return n;
}

/// One Range GET of [offset, offset + length) of `url`; the bytes, or an error text.
std::string fetch_range(fetch_state &state, const std::string &url, std::int64_t offset, int length, std::int64_t file_length,
                        int stall_seconds, std::vector<char> &out) {
    if (!state.curl) state.curl = curl_easy_init();
    CURL *curl = state.curl;
    if (!curl) return "libcurl failed to initialise";
    curl_easy_reset(curl);
    fetch_sink sink;
    sink.limit = static_cast<std::size_t>(length);
    sink.state = &state;
    sink.data.reserve(sink.limit);
    std::string range = std::to_string(offset) + "-" + std::to_string(offset + length - 1);
    char message[CURL_ERROR_SIZE + 1] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_RANGE, range.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(stall_seconds > 0 ? stall_seconds : 30));
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "alien-install/1 (piece fetch)");
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, message);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, fetch_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
    // A server that ignores Range answers 200 with the whole file: fine only when that is the piece.
    bool whole = status == 200 && offset == 0 && file_length == length;
    if (sink.overflow) return "the server ignored the Range request (HTTP " + std::to_string(status) + ", more than " + std::to_string(length) + " bytes)";
    if (code != CURLE_OK) return message[0] ? std::string(message) : std::string(curl_easy_strerror(code));
    if (status != 206 && !whole) return "HTTP status " + std::to_string(status) + " to a Range request, expected 206";
    if (sink.data.size() != static_cast<std::size_t>(length))
        return "expected " + std::to_string(length) + " bytes, got " + std::to_string(sink.data.size());
    out = std::move(sink.data);
    return std::string();
}

} // namespace

extern "C" {

int at_session_swarm(at_session *session, int torrent_id, at_swarm *out, int *availability, int capacity, at_error *error) {
    clear_error(error);
    if (!session || !out || (availability && capacity < 0)) {
        set_error(error, AT_ERR_INVALID_ARGUMENT, "expected a session and an output");
        return AT_ERR_INVALID_ARGUMENT;
    }
    return guarded(error, [&]() -> int {
        lt::torrent_handle handle;
        {
            std::lock_guard<std::mutex> guard(session->lock);
            lt::torrent_handle *found = session->torrent(torrent_id, error);
            if (!found) return AT_ERR_NOT_FOUND;
            handle = *found;
        }
        lt::torrent_status status = handle.status(lt::torrent_handle::query_pieces);
        auto info = handle.torrent_file();
        int pieces = info ? info->num_pieces() : 0;
        out->num_pieces = pieces;
        out->piece_length = info ? info->piece_length() : 0;
        out->pieces_have = status.num_pieces;
        out->list_peers = status.list_peers;
        out->connect_candidates = status.connect_candidates;
        out->tracker_swarm = (status.num_complete >= 0 || status.num_incomplete >= 0)
            ? std::max(0, status.num_complete) + std::max(0, status.num_incomplete) : -1;
        std::vector<lt::peer_info> peers;
        handle.get_peer_info(peers);
        int limit = availability ? std::min(capacity, pieces) : 0;
        for (int i = 0; i < limit; ++i) availability[i] = 0;
        int connected = 0;
        for (auto const &peer : peers) {
            if (peer.connection_type != lt::peer_info::standard_bittorrent) continue;
            if (peer.flags & (lt::peer_info::handshake | lt::peer_info::connecting)) continue;
            ++connected;
            int bits = std::min(limit, peer.pieces.size());
            for (int i = 0; i < bits; ++i)
                if (peer.pieces.get_bit(lt::piece_index_t(i))) ++availability[i];
        }
        out->peers = connected;
        int have_bits = std::min(limit, status.pieces.size());
        for (int i = 0; i < have_bits; ++i)
            if (status.pieces.get_bit(lt::piece_index_t(i))) availability[i] = -1;
        out->trackers = 0;
        out->trackers_answered = 0;
        out->trackers_failed = 0;
        out->tracker_error[0] = 0;
        for (auto const &tracker : handle.trackers()) {
            ++out->trackers;
            bool answered = false, failed = false;
            std::string reason;
            for (auto const &endpoint : tracker.endpoints) {
                for (auto const &hash : endpoint.info_hashes) {
                    if (hash.start_sent) answered = true;
                    if (hash.fails > 0) {
                        failed = true;
                        reason = hash.last_error ? hash.last_error.message() : hash.message;
                        if (hash.last_error && !hash.message.empty()) reason += " (" + hash.message + ")";
                    }
                }
            }
            if (answered) ++out->trackers_answered;
            else if (failed) {
                ++out->trackers_failed;
                copy_text(out->tracker_error, sizeof out->tracker_error, tracker.url + ": " + reason);
            }
        }
        return AT_OK;
    });
}

int at_session_fetch_pieces(at_session *session, int torrent_id, int piece, int count, const char *url, int stall_seconds, at_error *error) {
    clear_error(error);
    if (!session || !url || piece < 0 || count < 1) {
        set_error(error, AT_ERR_INVALID_ARGUMENT, "expected a session, a piece index >= 0, a count >= 1 and a URL");
        return AT_ERR_INVALID_ARGUMENT;
    }
    return guarded(error, [&]() -> int {
        lt::torrent_handle handle;
        std::shared_ptr<fetch_state> state;
        {
            std::lock_guard<std::mutex> guard(session->lock);
            lt::torrent_handle *found = session->torrent(torrent_id, error);
            if (!found) return AT_ERR_NOT_FOUND;
            handle = *found;
            auto &slot = session->fetches[torrent_id];
            if (!slot) slot = std::make_shared<fetch_state>();
            state = slot;
        }
        auto info = handle.torrent_file();
        if (!info || piece >= info->num_pieces() || count > info->num_pieces() - piece) {
            set_error(error, AT_ERR_INVALID_ARGUMENT, "pieces " + std::to_string(piece) + " to " + std::to_string(piece + count - 1)
                      + " are not all in the torrent");
            return AT_ERR_INVALID_ARGUMENT;
        }
        std::int64_t piece_length = info->piece_length();
        std::int64_t offset = static_cast<std::int64_t>(piece) * piece_length;
        std::int64_t end = std::min(info->total_size(), offset + static_cast<std::int64_t>(count) * piece_length);
        if (end - offset > (64 << 20)) {
            set_error(error, AT_ERR_INVALID_ARGUMENT, "at most 64 MiB a fetch");
            return AT_ERR_INVALID_ARGUMENT;
        }
        int length = static_cast<int>(end - offset);
        std::int64_t file_length = info->total_size();
        {
            std::lock_guard<std::mutex> guard(state->lock);
            if (state->active) {
                set_error(error, AT_ERR_BUSY, "piece " + std::to_string(state->piece) + " is still being fetched");
                return AT_ERR_BUSY;
            }
            state->active = true;
            state->piece = piece;
            state->partial = 0;
        }
        std::string address = url;
        std::thread([state, handle, address, piece, count, piece_length, offset, length, file_length, stall_seconds]() {
            std::vector<char> data;
            std::string failure;
            try {
                failure = fetch_range(*state, address, offset, length, file_length, stall_seconds, data);
                for (int i = 0; failure.empty() && i < count; ++i) {
                    auto first = data.begin() + static_cast<std::ptrdiff_t>(i * piece_length);
                    auto last = i + 1 == count ? data.end() : first + static_cast<std::ptrdiff_t>(piece_length);
                    handle.add_piece(lt::piece_index_t(piece + i), std::vector<char>(first, last));
                }
            } catch (const std::exception &e) {
                failure = e.what();
            } catch (...) {
                failure = "unknown failure";
            }
            std::lock_guard<std::mutex> guard(state->lock);
            state->active = false;
            if (failure.empty()) {
                state->bytes += state->partial;
                state->completed += count;
            } else {
                ++state->failed;
                state->error = address + ": " + failure;
            }
            state->partial = 0;
        }).detach();
        return AT_OK;
    });
}

int at_session_fetch_status(at_session *session, int torrent_id, at_fetch_status *out, at_error *error) {
    clear_error(error);
    if (!session || !out) {
        set_error(error, AT_ERR_INVALID_ARGUMENT, "expected a session and an output");
        return AT_ERR_INVALID_ARGUMENT;
    }
    std::shared_ptr<fetch_state> state;
    {
        std::lock_guard<std::mutex> guard(session->lock);
        if (!session->torrent(torrent_id, error)) return AT_ERR_NOT_FOUND;
        auto found = session->fetches.find(torrent_id);
        if (found != session->fetches.end()) state = found->second;
    }
    out->active = 0;
    out->piece = -1;
    out->bytes = 0;
    out->completed = 0;
    out->failed = 0;
    out->error[0] = 0;
    if (!state) return AT_OK;
    std::lock_guard<std::mutex> guard(state->lock);
    out->active = state->active ? 1 : 0;
    out->piece = state->piece;
    out->bytes = state->bytes + state->partial;
    out->completed = state->completed;
    out->failed = state->failed;
    copy_text(out->error, sizeof out->error, state->error);
    return AT_OK;
}

} // extern "C"
