// The C API of include/ctorrent.h over libtorrent-rasterbar 2.0. Every entry point catches
// everything: no C++ exception crosses into Swift.
#include "session.hpp"

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

using namespace at_detail;

namespace {

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

/// Runs `body` on the torrent `torrent_id` under the session's lock: AT_ERR_INVALID_ARGUMENT
/// without a session, AT_ERR_NOT_FOUND for a torrent it does not have; no exception escapes.
template <typename Body>
int with_torrent(at_session *session, int torrent_id, at_error *error, Body body) {
    clear_error(error);
    if (!session) {
        set_error(error, AT_ERR_INVALID_ARGUMENT, "expected a session");
        return AT_ERR_INVALID_ARGUMENT;
    }
    return guarded(error, [&]() -> int {
        std::lock_guard<std::mutex> guard(session->lock);
        lt::torrent_handle *found = session->torrent(torrent_id, error);
        if (!found) return AT_ERR_NOT_FOUND;
        return body(*found);
    });
}

} // namespace

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
    return guarded(error, [&]() -> int {
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
    });
}

int at_inspect_torrent(const uint8_t *bytes, size_t length, char info_hash_v1[41], char info_hash_v2[65],
                       int64_t *total_length, int *piece_length, at_error *error) {
    clear_error(error);
    return guarded(error, [&]() -> int {
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
    });
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
    return guarded(error, [&]() -> int {
        boost::system::error_code ec;
        auto address = boost::asio::ip::make_address(host, ec);
        if (ec) {
            set_error(error, AT_ERR_INVALID_ARGUMENT, std::string("not an IP address: ") + host);
            return AT_ERR_INVALID_ARGUMENT;
        }
        std::lock_guard<std::mutex> guard(session->lock);
        lt::torrent_handle *found = session->torrent(torrent_id, error);
        if (!found) return AT_ERR_NOT_FOUND;
        found->connect_peer(lt::tcp::endpoint(address, static_cast<unsigned short>(port)));
        return AT_OK;
    });
}

int at_session_set_web_seeds(at_session *session, int torrent_id, const char *const *urls, int count, int enabled, at_error *error) {
    clear_error(error);
    if (!session || (count > 0 && !urls)) {
        set_error(error, AT_ERR_INVALID_ARGUMENT, "expected a session and URLs");
        return AT_ERR_INVALID_ARGUMENT;
    }
    return guarded(error, [&]() -> int {
        std::lock_guard<std::mutex> guard(session->lock);
        lt::torrent_handle *found = session->torrent(torrent_id, error);
        if (!found) return AT_ERR_NOT_FOUND;
        for (int i = 0; i < count; ++i) {
            if (!urls[i]) continue;
            if (enabled) found->add_url_seed(urls[i]);
            else found->remove_url_seed(urls[i]);
        }
        return AT_OK;
    });
}

int at_session_status(at_session *session, int torrent_id, at_status *out, at_error *error) {
    clear_error(error);
    if (!session || !out) {
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
    });
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
            case lt::cache_flushed_alert::alert_type: kind = AT_ALERT_CACHE_FLUSHED; break;
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

int at_session_remove(at_session *session, int torrent_id, at_error *error) {
    return with_torrent(session, torrent_id, error, [&](lt::torrent_handle &found) -> int {
        session->session->remove_torrent(found);
        session->torrents.erase(torrent_id);
        session->fetches.erase(torrent_id);
        return AT_OK;
    });
}

int at_session_flush(at_session *session, int torrent_id, at_error *error) {
    return with_torrent(session, torrent_id, error, [](lt::torrent_handle &found) -> int {
        found.flush_cache();
        return AT_OK;
    });
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
