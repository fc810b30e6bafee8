// The C API of include/ctorrent.h over libtorrent-rasterbar 2.0. Every entry point catches
// everything: no C++ exception crosses into Swift.
#include "ctorrent.h"

#include <libtorrent/alert_types.hpp>
#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/ip_filter.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/settings_pack.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>
#include <boost/asio/ip/address.hpp>
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

void set_error(at_error *error, int code, const std::string &message) {
    if (!error) return;
    error->code = code;
    std::snprintf(error->message, sizeof error->message, "%s", message.c_str());
}

void clear_error(at_error *error) {
    if (!error) return;
    error->code = AT_OK;
    error->message[0] = 0;
}

template <typename Hash>
void to_hex(const Hash &hash, char *out, size_t capacity) {
    static const char digits[] = "0123456789abcdef";
    size_t n = 0;
    for (auto byte : hash) {
        if (n + 2 >= capacity) break;
        auto b = static_cast<unsigned char>(byte);
        out[n++] = digits[b >> 4];
        out[n++] = digits[b & 15];
    }
    out[n] = 0;
}

void copy_text(char *out, size_t capacity, const std::string &text) {
    std::snprintf(out, capacity, "%s", text.c_str());
}

std::string parent_of(const std::string &path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string base_of(const std::string &path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

void write_hashes(const lt::info_hash_t &hashes, char v1[41], char v2[65]) {
    v1[0] = 0;
    v2[0] = 0;
    if (hashes.has_v1()) to_hex(hashes.v1, v1, 41);
    if (hashes.has_v2()) to_hex(hashes.v2, v2, 65);
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

struct at_session {
    std::unique_ptr<lt::session> session;
    std::mutex lock;
    std::map<int, lt::torrent_handle> torrents;
    std::map<int, std::shared_ptr<fetch_state>> fetches;
    int next_id = 0;

    int id_of(const lt::torrent_handle &handle) {
        for (auto &entry : torrents)
            if (entry.second == handle) return entry.first;
        return -1;
    }
};

extern "C" {

void at_free(void *pointer) { std::free(pointer); }

int at_create_torrent(const at_create_options *options, at_created *out, at_error *error) {
    clear_error(error);
    if (!options || !out || !options->file_path || options->file_path[0] != '/') {
        set_error(error, AT_ERR_INVALID_ARGUMENT, "expected an absolute file path");
        return AT_ERR_INVALID_ARGUMENT;
    }
    out->bytes = nullptr;
    out->length = 0;
    out->info_hash_v1[0] = 0;
    out->info_hash_v2[0] = 0;
    try {
        std::string path = options->file_path;
        lt::file_storage files;
        lt::add_files(files, path);
        if (files.num_files() != 1) {
            set_error(error, AT_ERR_IO, "not a single regular file: " + path);
            return AT_ERR_IO;
        }
        lt::create_flags_t flags{};
        switch (options->version) {
        case AT_VERSION_V1: flags = lt::create_torrent::v1_only; break;
        case AT_VERSION_V2: flags = lt::create_torrent::v2_only; break;
        case AT_VERSION_HYBRID: break;
        default:
            set_error(error, AT_ERR_INVALID_ARGUMENT, "torrent version must be 1 (v1), 2 (v2) or 3 (hybrid), got " + std::to_string(options->version));
            return AT_ERR_INVALID_ARGUMENT;
        }
        int piece = options->piece_length;
        if (piece != 0 && (piece < 16384 || (piece & (piece - 1)) != 0)) {
            set_error(error, AT_ERR_INVALID_ARGUMENT, "piece length must be a power of two >= 16384, got " + std::to_string(piece));
            return AT_ERR_INVALID_ARGUMENT;
        }
        lt::create_torrent torrent(files, piece, flags);
        for (int i = 0; i < options->tracker_count; ++i)
            if (options->trackers[i]) torrent.add_tracker(options->trackers[i], i);
        for (int i = 0; i < options->web_seed_count; ++i)
            if (options->web_seeds[i]) torrent.add_url_seed(options->web_seeds[i]);
        torrent.set_priv(options->is_private != 0);
        torrent.set_creator("alien-install");
        lt::error_code ec;
        lt::set_piece_hashes(torrent, parent_of(path), ec);
        if (ec) {
            set_error(error, AT_ERR_IO, "hashing " + path + ": " + ec.message());
            return AT_ERR_IO;
        }
        std::vector<char> buffer;
        lt::bencode(std::back_inserter(buffer), torrent.generate());
        lt::torrent_info info(lt::span<char const>(buffer.data(), static_cast<std::ptrdiff_t>(buffer.size())), ec, lt::from_span);
        if (ec) {
            set_error(error, AT_ERR_TORRENT, "generated metainfo does not parse: " + ec.message());
            return AT_ERR_TORRENT;
        }
        write_hashes(info.info_hashes(), out->info_hash_v1, out->info_hash_v2);
        out->bytes = static_cast<uint8_t *>(std::malloc(buffer.size()));
        if (!out->bytes) {
            set_error(error, AT_ERR_INTERNAL, "out of memory");
            return AT_ERR_INTERNAL;
        }
        std::memcpy(out->bytes, buffer.data(), buffer.size());
        out->length = buffer.size();
        return AT_OK;
    } catch (const std::exception &e) {
        set_error(error, AT_ERR_TORRENT, e.what());
        return AT_ERR_TORRENT;
    } catch (...) {
        set_error(error, AT_ERR_INTERNAL, "unknown libtorrent failure");
        return AT_ERR_INTERNAL;
    }
}

int at_inspect_torrent(const uint8_t *bytes, size_t length, char info_hash_v1[41], char info_hash_v2[65],
                       int64_t *total_length, int *piece_length, at_error *error) {
    clear_error(error);
    try {
        lt::error_code ec;
        lt::torrent_info info(lt::span<char const>(reinterpret_cast<const char *>(bytes), static_cast<std::ptrdiff_t>(length)), ec, lt::from_span);
        if (ec) {
            set_error(error, AT_ERR_TORRENT, ec.message());
            return AT_ERR_TORRENT;
        }
        write_hashes(info.info_hashes(), info_hash_v1, info_hash_v2);
        if (total_length) *total_length = info.total_size();
        if (piece_length) *piece_length = info.piece_length();
        return AT_OK;
    } catch (const std::exception &e) {
        set_error(error, AT_ERR_TORRENT, e.what());
        return AT_ERR_TORRENT;
    } catch (...) {
        set_error(error, AT_ERR_INTERNAL, "unknown libtorrent failure");
        return AT_ERR_INTERNAL;
    }
}

at_session *at_session_new(const at_session_settings *settings, at_error *error) {
    clear_error(error);
    try {
        lt::settings_pack pack;
        pack.set_str(lt::settings_pack::user_agent, "alien-install/1 libtorrent/2.0");
        pack.set_str(lt::settings_pack::listen_interfaces,
                     settings && settings->listen_interfaces ? settings->listen_interfaces : "0.0.0.0:0");
        pack.set_int(lt::settings_pack::upload_rate_limit, settings ? settings->upload_rate_limit : 0);
        pack.set_int(lt::settings_pack::download_rate_limit, settings ? settings->download_rate_limit : 0);
        pack.set_bool(lt::settings_pack::enable_lsd, settings && settings->enable_lsd);
        pack.set_bool(lt::settings_pack::enable_dht, settings && settings->enable_dht);
        bool utp = settings && settings->enable_utp;
        pack.set_bool(lt::settings_pack::enable_outgoing_utp, utp);
        pack.set_bool(lt::settings_pack::enable_incoming_utp, utp);
        pack.set_bool(lt::settings_pack::enable_upnp, false);
        pack.set_bool(lt::settings_pack::enable_natpmp, false);
        // Several peers of a test (or of a NAT'ed site) share one address.
        pack.set_bool(lt::settings_pack::allow_multiple_connections_per_ip, true);
        pack.set_int(lt::settings_pack::stop_tracker_timeout, 1);
        // A site's swarm is not a market: every interested peer is unchoked at once. With
        // libtorrent's 8 upload slots and 15 s unchoke rounds, nodes of a 24-node swarm that
        // had every missing piece at their peers waited choked for seconds on end.
        pack.set_int(lt::settings_pack::unchoke_slots_limit, -1);
        if (settings && settings->connections_limit > 0) {
            pack.set_int(lt::settings_pack::connections_limit, settings->connections_limit);
        }
        if (settings && settings->active_limit > 0) {
            pack.set_int(lt::settings_pack::active_limit, settings->active_limit);
            pack.set_int(lt::settings_pack::active_seeds, settings->active_limit);
            pack.set_int(lt::settings_pack::active_downloads, settings->active_limit);
        }
        // Smaller web seed requests (default 16 MiB) spread a swarm's origin reads over more
        // distinct pieces, which peers then trade.
        pack.set_int(lt::settings_pack::urlseed_max_request_bytes, 256 * 1024);
        if (settings && settings->web_seed_retry_seconds > 0)
            pack.set_int(lt::settings_pack::urlseed_wait_retry, settings->web_seed_retry_seconds);
        pack.set_int(lt::settings_pack::alert_mask,
                     static_cast<int>(static_cast<std::uint32_t>(lt::alert_category::error | lt::alert_category::status
                                                                 | lt::alert_category::storage | lt::alert_category::peer
                                                                 | lt::alert_category::tracker)));
        static std::once_flag curl_once;
        std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
        auto session = std::make_unique<at_session>();
        session->session = std::make_unique<lt::session>(pack);
        // libtorrent exempts LAN and loopback peers from rate limits by default; a site's
        // worker nodes are each other's LAN, so the limits apply to every peer here.
        lt::ip_filter classes;
        std::uint32_t global = 1u << static_cast<std::uint32_t>(lt::session::global_peer_class_id);
        classes.add_rule(boost::asio::ip::make_address("0.0.0.0"), boost::asio::ip::make_address("255.255.255.255"), global);
        classes.add_rule(boost::asio::ip::make_address("::"),
                         boost::asio::ip::make_address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), global);
        session->session->set_peer_class_filter(classes);
        return session.release();
    } catch (const std::exception &e) {
        set_error(error, AT_ERR_SESSION, e.what());
        return nullptr;
    } catch (...) {
        set_error(error, AT_ERR_INTERNAL, "unknown libtorrent failure");
        return nullptr;
    }
}

int at_session_listen_port(at_session *session) {
    if (!session) return 0;
    try {
        return session->session->listen_port();
    } catch (...) {
        return 0;
    }
}

int at_session_add(at_session *session, const uint8_t *torrent, size_t length, const char *file_path, int seed_mode,
                   const char *const *extra_web_seeds, int extra_web_seed_count, at_error *error) {
    clear_error(error);
    if (!session || !torrent || !file_path || file_path[0] != '/') {
        set_error(error, AT_ERR_INVALID_ARGUMENT, "expected a session, metainfo bytes and an absolute file path");
        return -1;
    }
    try {
        lt::error_code ec;
        auto info = std::make_shared<lt::torrent_info>(
            lt::span<char const>(reinterpret_cast<const char *>(torrent), static_cast<std::ptrdiff_t>(length)), ec, lt::from_span);
        if (ec) {
            set_error(error, AT_ERR_TORRENT, "metainfo: " + ec.message());
            return -1;
        }
        if (info->num_files() != 1) {
            set_error(error, AT_ERR_TORRENT, "metainfo describes " + std::to_string(info->num_files()) + " files, expected one");
            return -1;
        }
        std::string path = file_path;
        lt::add_torrent_params params;
        params.ti = info;
        params.save_path = parent_of(path);
        params.renamed_files[lt::file_index_t(0)] = base_of(path);
        if (seed_mode) params.flags |= lt::torrent_flags::seed_mode;
        for (int i = 0; i < extra_web_seed_count; ++i)
            if (extra_web_seeds[i]) params.url_seeds.emplace_back(extra_web_seeds[i]);
        std::lock_guard<std::mutex> guard(session->lock);
        lt::torrent_handle handle = session->session->add_torrent(std::move(params), ec);
        if (ec) {
            set_error(error, AT_ERR_TORRENT, "add torrent: " + ec.message());
            return -1;
        }
        int id = session->next_id++;
        session->torrents[id] = handle;
        return id;
    } catch (const std::exception &e) {
        set_error(error, AT_ERR_TORRENT, e.what());
        return -1;
    } catch (...) {
        set_error(error, AT_ERR_INTERNAL, "unknown libtorrent failure");
        return -1;
    }
}

int at_session_connect_peer(at_session *session, int torrent_id, const char *host, int port, at_error *error) {
    clear_error(error);
    if (!session || !host || port <= 0 || port > 65535) {
        set_error(error, AT_ERR_INVALID_ARGUMENT, "expected a host address and a port 1-65535");
        return AT_ERR_INVALID_ARGUMENT;
    }
    try {
        boost::system::error_code ec;
        auto address = boost::asio::ip::make_address(host, ec);
        if (ec) {
            set_error(error, AT_ERR_INVALID_ARGUMENT, std::string("not an IP address: ") + host);
            return AT_ERR_INVALID_ARGUMENT;
        }
        std::lock_guard<std::mutex> guard(session->lock);
        auto found = session->torrents.find(torrent_id);
        if (found == session->torrents.end()) {
            set_error(error, AT_ERR_NOT_FOUND, "no torrent " + std::to_string(torrent_id));
            return AT_ERR_NOT_FOUND;
        }
        found->second.connect_peer(lt::tcp::endpoint(address, static_cast<unsigned short>(port)));
        return AT_OK;
    } catch (const std::exception &e) {
        set_error(error, AT_ERR_TORRENT, e.what());
        return AT_ERR_TORRENT;
    } catch (...) {
        set_error(error, AT_ERR_INTERNAL, "unknown libtorrent failure");
        return AT_ERR_INTERNAL;
    }
}

int at_session_set_web_seeds(at_session *session, int torrent_id, const char *const *urls, int count, int enabled, at_error *error) {
    clear_error(error);
    if (!session || (count > 0 && !urls)) {
        set_error(error, AT_ERR_INVALID_ARGUMENT, "expected a session and URLs");
        return AT_ERR_INVALID_ARGUMENT;
    }
    try {
        std::lock_guard<std::mutex> guard(session->lock);
        auto found = session->torrents.find(torrent_id);
        if (found == session->torrents.end()) {
            set_error(error, AT_ERR_NOT_FOUND, "no torrent " + std::to_string(torrent_id));
            return AT_ERR_NOT_FOUND;
        }
        for (int i = 0; i < count; ++i) {
            if (!urls[i]) continue;
            if (enabled) found->second.add_url_seed(urls[i]);
            else found->second.remove_url_seed(urls[i]);
        }
        return AT_OK;
    } catch (const std::exception &e) {
        set_error(error, AT_ERR_TORRENT, e.what());
        return AT_ERR_TORRENT;
    } catch (...) {
        set_error(error, AT_ERR_INTERNAL, "unknown libtorrent failure");
        return AT_ERR_INTERNAL;
    }
}

int at_session_status(at_session *session, int torrent_id, at_status *out, at_error *error) {
    clear_error(error);
    if (!session || !out) {
        set_error(error, AT_ERR_INVALID_ARGUMENT, "expected a session and an output");
        return AT_ERR_INVALID_ARGUMENT;
    }
    try {
        lt::torrent_handle handle;
        {
            std::lock_guard<std::mutex> guard(session->lock);
            auto found = session->torrents.find(torrent_id);
            if (found == session->torrents.end()) {
                set_error(error, AT_ERR_NOT_FOUND, "no torrent " + std::to_string(torrent_id));
                return AT_ERR_NOT_FOUND;
            }
            handle = found->second;
        }
        lt::torrent_status status = handle.status();
        out->total_done = status.total_done;
        out->total_wanted = status.total_wanted;
        out->total_upload = status.total_payload_upload;
        out->total_download = status.total_payload_download;
        out->num_peers = status.num_peers;
        out->num_seeds = status.num_seeds;
        out->state = static_cast<int>(status.state);
        out->is_finished = status.is_finished ? 1 : 0;
        out->paused = (status.flags & lt::torrent_flags::paused) ? 1 : 0;
        out->download_rate = status.download_payload_rate;
        out->upload_rate = status.upload_payload_rate;
        copy_text(out->error, sizeof out->error, status.errc ? status.errc.message() : std::string());
        return AT_OK;
    } catch (const std::exception &e) {
        set_error(error, AT_ERR_TORRENT, e.what());
        return AT_ERR_TORRENT;
    } catch (...) {
        set_error(error, AT_ERR_INTERNAL, "unknown libtorrent failure");
        return AT_ERR_INTERNAL;
    }
}

int at_session_pop_alerts(at_session *session, at_alert *out, int capacity) {
    if (!session || !out || capacity <= 0) return 0;
    try {
        std::vector<lt::alert *> alerts;
        session->session->pop_alerts(&alerts);
        std::lock_guard<std::mutex> guard(session->lock);
        int count = 0;
        for (lt::alert *alert : alerts) {
            if (count >= capacity) break;
            int kind = 0;
            switch (alert->type()) {
            case lt::torrent_finished_alert::alert_type: kind = AT_ALERT_FINISHED; break;
            case lt::torrent_error_alert::alert_type: kind = AT_ALERT_ERROR; break;
            case lt::file_error_alert::alert_type: kind = AT_ALERT_ERROR; break;
            case lt::hash_failed_alert::alert_type: kind = AT_ALERT_HASH_FAILED; break;
            case lt::tracker_error_alert::alert_type: kind = AT_ALERT_TRACKER_ERROR; break;
            case lt::url_seed_alert::alert_type: kind = AT_ALERT_WEB_SEED_ERROR; break;
            case lt::peer_ban_alert::alert_type: kind = AT_ALERT_PEER_BANNED; break;
            case lt::listen_failed_alert::alert_type: kind = AT_ALERT_LISTEN_FAILED; break;
            case lt::torrent_removed_alert::alert_type: kind = AT_ALERT_REMOVED; break;
            default: break;
            }
            if (kind == 0) continue;
            at_alert &entry = out[count++];
            entry.kind = kind;
            entry.torrent_id = -1;
            // alert_cast matches the exact type only: a base class needs dynamic_cast.
            if (auto torrent = dynamic_cast<lt::torrent_alert *>(alert)) entry.torrent_id = session->id_of(torrent->handle);
            copy_text(entry.message, sizeof entry.message, alert->message());
        }
        return count;
    } catch (...) {
        return 0;
    }
}

int at_session_swarm(at_session *session, int torrent_id, at_swarm *out, int *availability, int capacity, at_error *error) {
    clear_error(error);
    if (!session || !out || (availability && capacity < 0)) {
        set_error(error, AT_ERR_INVALID_ARGUMENT, "expected a session and an output");
        return AT_ERR_INVALID_ARGUMENT;
    }
    try {
        lt::torrent_handle handle;
        {
            std::lock_guard<std::mutex> guard(session->lock);
            auto found = session->torrents.find(torrent_id);
            if (found == session->torrents.end()) {
                set_error(error, AT_ERR_NOT_FOUND, "no torrent " + std::to_string(torrent_id));
                return AT_ERR_NOT_FOUND;
            }
            handle = found->second;
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
    } catch (const std::exception &e) {
        set_error(error, AT_ERR_TORRENT, e.what());
        return AT_ERR_TORRENT;
    } catch (...) {
        set_error(error, AT_ERR_INTERNAL, "unknown libtorrent failure");
        return AT_ERR_INTERNAL;
    }
}

int at_session_fetch_pieces(at_session *session, int torrent_id, int piece, int count, const char *url, int stall_seconds, at_error *error) {
    clear_error(error);
    if (!session || !url || piece < 0 || count < 1) {
        set_error(error, AT_ERR_INVALID_ARGUMENT, "expected a session, a piece index >= 0, a count >= 1 and a URL");
        return AT_ERR_INVALID_ARGUMENT;
    }
    try {
        lt::torrent_handle handle;
        std::shared_ptr<fetch_state> state;
        {
            std::lock_guard<std::mutex> guard(session->lock);
            auto found = session->torrents.find(torrent_id);
            if (found == session->torrents.end()) {
                set_error(error, AT_ERR_NOT_FOUND, "no torrent " + std::to_string(torrent_id));
                return AT_ERR_NOT_FOUND;
            }
            handle = found->second;
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
    } catch (const std::exception &e) {
        set_error(error, AT_ERR_TORRENT, e.what());
        return AT_ERR_TORRENT;
    } catch (...) {
        set_error(error, AT_ERR_INTERNAL, "unknown libtorrent failure");
        return AT_ERR_INTERNAL;
    }
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
        if (session->torrents.find(torrent_id) == session->torrents.end()) {
            set_error(error, AT_ERR_NOT_FOUND, "no torrent " + std::to_string(torrent_id));
            return AT_ERR_NOT_FOUND;
        }
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

int at_session_remove(at_session *session, int torrent_id, at_error *error) {
    clear_error(error);
    if (!session) {
        set_error(error, AT_ERR_INVALID_ARGUMENT, "expected a session");
        return AT_ERR_INVALID_ARGUMENT;
    }
    try {
        std::lock_guard<std::mutex> guard(session->lock);
        auto found = session->torrents.find(torrent_id);
        if (found == session->torrents.end()) {
            set_error(error, AT_ERR_NOT_FOUND, "no torrent " + std::to_string(torrent_id));
            return AT_ERR_NOT_FOUND;
        }
        session->session->remove_torrent(found->second);
        session->torrents.erase(found);
        session->fetches.erase(torrent_id);
        return AT_OK;
    } catch (const std::exception &e) {
        set_error(error, AT_ERR_TORRENT, e.what());
        return AT_ERR_TORRENT;
    } catch (...) {
        set_error(error, AT_ERR_INTERNAL, "unknown libtorrent failure");
        return AT_ERR_INTERNAL;
    }
}

int at_session_free(at_session *session, int timeout_ms) {
    if (!session) return 1;
    try {
        auto done = std::make_shared<std::promise<void>>();
        auto finished = done->get_future();
        std::thread([session, done]() {
            try {
                lt::session_proxy proxy = session->session->abort();
                session->session.reset();
                delete session;
                // proxy's destructor waits for the session thread to stop
            } catch (...) {
            }
            done->set_value();
        }).detach();
        return finished.wait_for(std::chrono::milliseconds(timeout_ms > 0 ? timeout_ms : 1)) == std::future_status::ready ? 1 : 0;
    } catch (...) {
        return 0;
    }
}

} // extern "C"
