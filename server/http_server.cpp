#include "server/http_server.hpp"

#include "server/server_core.hpp"
#include "server/session.hpp"

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace geokg::server {

namespace {

namespace net = boost::asio;
using detail::Clock;
using detail::Strand;
using detail::tcp;
using boost::system::error_code;

// Connections answered 503 at the same time; beyond this, excess connections are closed at once.
constexpr std::size_t max_rejecting = 256;
constexpr std::chrono::milliseconds accept_retry_delay{50};
// After the grace period, how long closed sessions get to run their last handlers.
constexpr std::chrono::milliseconds close_wait{1'000};

[[noreturn]] void throw_system_error(const error_code& ec, const std::string& what) {
  throw std::system_error(static_cast<std::error_code>(ec), what);
}

}  // namespace

struct HttpServer::Impl {
  enum class State { created, running, stopping, stopped };

  Impl(Options options, Callbacks callbacks)
      : core(std::move(options), std::move(callbacks)),
        io(static_cast<int>(std::max(1u, core.options.io_threads))),
        acceptor(net::make_strand(io)),
        accept_retry(acceptor.get_executor()) {}

  void start();
  void stop(std::chrono::milliseconds grace);
  void run_io();
  void accept();
  void on_accept(const error_code& ec, detail::Socket socket);

  // Sessions refer to `core`, and their sockets to `io`: declared first, destroyed last.
  detail::ServerCore core;
  std::mutex mutex;
  std::condition_variable state_changed;
  State state = State::created;
  std::atomic<std::uint16_t> port{0};

  net::io_context io;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  net::basic_socket_acceptor<tcp, Strand> acceptor;
  detail::Timer accept_retry;
  std::vector<std::thread> io_threads;
  std::optional<net::thread_pool> pool;  // destroyed first: queued jobs hold sessions
};

void HttpServer::Impl::start() {
  std::lock_guard lock(mutex);
  if (state != State::created) throw std::logic_error("HttpServer::start: already started");
  if (!core.callbacks.handle) throw std::invalid_argument("HttpServer: Callbacks::handle is required");

  const auto& options = core.options;
  const std::string where = options.host + ":" + std::to_string(options.port);
  error_code ec;
  tcp::endpoint endpoint;
  const auto address = net::ip::make_address(options.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options.port);
  } else {
    tcp::resolver resolver(io);
    const auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec) throw_system_error(ec, "cannot resolve " + where);
    if (results.empty()) throw_system_error(net::error::host_not_found, "cannot resolve " + where);
    endpoint = results.begin()->endpoint();
  }

  const auto fail = [&](const char* step) {
    error_code ignored;
    acceptor.close(ignored);
    throw_system_error(ec, std::string(step) + " " + where);
  };
  acceptor.open(endpoint.protocol(), ec);
  if (ec) fail("cannot open a socket for");
  acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) fail("cannot set SO_REUSEADDR for");
  acceptor.bind(endpoint, ec);
  if (ec) fail("cannot bind");
  acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) fail("cannot listen on");
  const auto bound = acceptor.local_endpoint(ec);
  if (ec) fail("cannot read the bound address of");
  port = bound.port();

  if (options.worker_threads > 0) {
    pool.emplace(options.worker_threads);
    core.pool = &*pool;
  }
  core.inline_limit = std::max(1u, options.io_threads) - 1;
  work.emplace(io.get_executor());
  accept();
  const unsigned threads = std::max(1u, options.io_threads);
  io_threads.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) io_threads.emplace_back([this] { run_io(); });
  state = State::running;
  spdlog::info("http server listening on {}:{} ({} I/O threads, {} workers)",
               bound.address().to_string(), bound.port(), threads, options.worker_threads);
}

void HttpServer::Impl::run_io() {
  for (;;) {
    try {
      io.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("http server I/O thread: {}", e.what());
    }
  }
}

void HttpServer::Impl::accept() {
  acceptor.async_accept(net::make_strand(io), [this](const error_code& ec, detail::Socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void HttpServer::Impl::on_accept(const error_code& ec, detail::Socket socket) {
  if (ec == net::error::operation_aborted || core.stopping.load()) return;
  if (ec) {
    if (ec == net::error::connection_aborted) {
      accept();
      return;
    }
    // E.g. out of file descriptors: retry later rather than spin.
    spdlog::warn("http server accept failed: {}", ec.message());
    accept_retry.expires_after(accept_retry_delay);
    accept_retry.async_wait([this](const error_code& wait_ec) {
      if (!wait_ec && !core.stopping.load()) accept();
    });
    return;
  }
  error_code option_ec;
  socket.set_option(tcp::no_delay(true), option_ec);
  try {
    const bool full = core.registry.serving() >= core.options.max_connections;
    if (!full || core.registry.rejecting() < max_rejecting) {
      detail::Session::create(core, std::move(socket), full)->start();
    }
  } catch (const std::exception& e) {
    spdlog::error("http server cannot start a session: {}", e.what());
  }
  accept();
}

void HttpServer::Impl::stop(std::chrono::milliseconds grace) {
  {
    std::unique_lock lock(mutex);
    if (state == State::created) {
      state = State::stopped;
      state_changed.notify_all();
      return;
    }
    if (state != State::running) {
      state_changed.wait(lock, [this] { return state == State::stopped; });
      return;
    }
    if (io.get_executor().running_in_this_thread() ||
        (pool && pool->get_executor().running_in_this_thread())) {
      throw std::logic_error("HttpServer::stop must not be called from a server thread");
    }
    state = State::stopping;
  }
  const auto deadline = Clock::now() + grace;
  core.stopping.store(true);
  net::post(acceptor.get_executor(), [this] {
    error_code ignored;
    acceptor.close(ignored);
    accept_retry.cancel();
  });
  for (const auto& session : core.registry.snapshot()) session->begin_stop();
  if (!core.registry.wait_empty_until(deadline)) {
    auto busy = core.registry.snapshot();
    spdlog::warn("http server: closing {} connections still busy after the grace period", busy.size());
    for (const auto& session : busy) session->force_close();
  }
  // Jobs of closed sessions skip their handler; running handlers are waited for.
  if (pool) pool->join();
  core.registry.wait_empty_until(Clock::now() + close_wait);
  work.reset();
  io.stop();
  for (auto& thread : io_threads) thread.join();
  io_threads.clear();
  {
    std::lock_guard lock(mutex);
    state = State::stopped;
  }
  state_changed.notify_all();
  spdlog::info("http server stopped");
}

HttpServer::HttpServer(Options options, Callbacks callbacks)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(callbacks))) {}

HttpServer::~HttpServer() {
  try {
    stop();
  } catch (const std::exception& e) {
    spdlog::error("http server: stop in destructor failed: {}", e.what());
  }
}

void HttpServer::start() { impl_->start(); }

std::uint16_t HttpServer::port() const noexcept { return impl_->port.load(); }

std::size_t HttpServer::connections() const { return impl_->core.registry.serving(); }

void HttpServer::wait() {
  std::unique_lock lock(impl_->mutex);
  impl_->state_changed.wait(lock, [this] {
    return impl_->state == Impl::State::stopped || impl_->state == Impl::State::created;
  });
}

void HttpServer::stop(std::chrono::milliseconds grace) { impl_->stop(grace); }

}  // namespace geokg::server
