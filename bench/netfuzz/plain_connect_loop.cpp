// The baseline for the network fuzzer's speed: the fastest a client can open MQTT sessions on
// this machine — blocking sockets, CONNECT, CONNACK, DISCONNECT, close, in a loop on N threads.
// Usage: plain_connect_loop PORT SECONDS [THREADS]; prints sessions and sessions/s.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

// CONNECT 3.1.1, clean session, keep alive 60, client id "p" plus a digit; DISCONNECT.
unsigned char connect_packet[] = {0x10, 0x0F, 0x00, 0x04, 'M',  'Q', 'T', 'T', 0x04,
                                  0x02, 0x00, 0x3C, 0x00, 0x03, 'p', 'l', '0'};
const unsigned char disconnect_packet[] = {0xE0, 0x00};

bool one_session(const sockaddr_in& to, unsigned char id) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    bool ok = false;
    unsigned char packet[sizeof connect_packet];
    std::copy(std::begin(connect_packet), std::end(connect_packet), packet);
    packet[sizeof packet - 1] = static_cast<unsigned char>('0' + id);
    unsigned char answer[4];
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0 &&
        ::write(fd, packet, sizeof packet) == static_cast<ssize_t>(sizeof packet)) {
        std::size_t got = 0;
        while (got < sizeof answer) {
            const auto n = ::read(fd, answer + got, sizeof answer - got);
            if (n <= 0)
                break;
            got += static_cast<std::size_t>(n);
        }
        ok = got == sizeof answer && answer[0] == 0x20 && answer[3] == 0;
        if (ok)
            ok = ::write(fd, disconnect_packet, sizeof disconnect_packet) == 2;
    }
    ::close(fd);
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: plain_connect_loop PORT SECONDS [THREADS]\n");
        return 2;
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(std::atoi(argv[1])));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const auto seconds = std::atof(argv[2]);
    const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
    std::atomic<std::uint64_t> sessions{0}, failures{0};
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + std::chrono::duration<double>(seconds);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            while (std::chrono::steady_clock::now() < end)
                (one_session(to, static_cast<unsigned char>(t % 10)) ? sessions : failures)++;
        });
    for (auto& t : pool)
        t.join();
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("plain loop, %d thread(s): %llu sessions in %.1f s (%.0f/s), %llu failed\n",
                threads, static_cast<unsigned long long>(sessions.load()), took, sessions / took,
                static_cast<unsigned long long>(failures.load()));
    return failures > sessions ? 1 : 0;
}
