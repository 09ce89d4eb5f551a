/*
 * udpblast: paced UDP generator and sink in one process, used by bench/relay.ts.
 * Loopback only: every socket binds and sends to 127.0.0.1. Runs for a bounded time and exits.
 *
 *   udpblast [-n NETNS -d IPV4 -o OFFSET -s IPV4 -g] <size> <rate_pps|0=max> <duration_ms> <target>:<sink>[:<source>] ...
 *
 * -n: the sender runs in network namespace NETNS (a /run/netns/<name> path, one the benchmark created) and sends to
 * -d IPV4 (across a veth, towards a relay's raw endpoint) instead of 127.0.0.1. -o: the sink finds the sequence
 * number and time stamp OFFSET bytes into each datagram (42 when the relay forwards whole Ethernet frames). -s: the
 * sinks listen on IPV4 instead of 127.0.0.1 (the raw path's direct row: the generator's datagrams, across the veth,
 * straight to a sink on the host end's address).
 *
 * <source> is the port the generator sends from (default: any). A relay whose sockets are connected (uBridge) only
 * accepts frames from the port it sends to, as an emulator's tunnel does.
 * The sender thread spreads frames round-robin over the targets, each batch as one message with UDP_SEGMENT (UDP
 * generic segmentation offload: the kernel takes the batch through the IP stack once and queues the same datagrams a
 * sendmmsg would, so the receiver cannot tell): on a 2-core host the generator then leaves more CPU to the forwarder
 * under test and can offer more than either forwarder carries. Across a veth (-n) it uses sendmmsg, since an AF_PACKET
 * reader there would see the unsegmented batch, unless -g says the veth end cannot segment (tx-udp-segmentation off):
 * the kernel then cuts the batch into ordinary frames before the veth, and the generator offers 2-3 times more. It
 * also uses sendmmsg wherever the kernel refuses segmentation. The receiver thread
 * reads every sink with recvmmsg. Each frame carries a sequence number and its CLOCK_MONOTONIC send time, so the receiver measures
 * one-way latency. Prints one JSON line: sent, received, delivered_pps, p50_us, p99_us.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAIRS 16
#define BATCH 32
#define MAX_SAMPLES (4 * 1024 * 1024)
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

static int size, pairs;
static const char *netns;
static in_addr_t destination, sink_address;
static int offset, segment_across;
static long rate;
static long duration_ms;
static int targets[MAX_PAIRS], sinks[MAX_PAIRS], sources[MAX_PAIRS];
static volatile int sending = 1;
static long sent;
static uint64_t *samples;
static long received;
static uint64_t first_rx, last_rx;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int udp_socket(int port, int connect_port, in_addr_t bind_to, in_addr_t connect_to) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int buf = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = bind_to};
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    perror("bind");
    exit(2);
  }
  if (connect_port) {
    addr.sin_port = htons(connect_port);
    addr.sin_addr.s_addr = connect_to;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
      perror("connect");
      exit(2);
    }
  }
  return fd;
}

static void *send_loop(void *arg) {
  (void)arg;
  int fds[MAX_PAIRS];
  if (netns) {
    /* Only this thread enters the namespace: the sink stays on the host's loopback. */
    int ns = open(netns, O_RDONLY | O_CLOEXEC);
    if (ns < 0 || setns(ns, CLONE_NEWNET) < 0) {
      perror("setns");
      exit(2);
    }
    close(ns);
  }
  in_addr_t bind_to = netns ? htonl(INADDR_ANY) : htonl(INADDR_LOOPBACK);
  for (int i = 0; i < pairs; i++) fds[i] = udp_socket(sources[i], targets[i], bind_to, destination);
  static char frames[BATCH][65536];
  struct iovec iov[BATCH];
  struct mmsghdr msgs[BATCH];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = frames[i];
    iov[i].iov_len = size;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  /* One segmented message of up to BATCH frames; its payload must fit one UDP datagram. */
  int segmenting = !netns || segment_across;
  int per_message = 65507 / size < BATCH ? 65507 / size : BATCH;
  char control[CMSG_SPACE(sizeof(uint16_t))] = {0};
  struct msghdr segmented = {.msg_iov = iov, .msg_control = control, .msg_controllen = sizeof control};
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&segmented);
  cmsg->cmsg_level = SOL_UDP;
  cmsg->cmsg_type = UDP_SEGMENT;
  cmsg->cmsg_len = CMSG_LEN(sizeof(uint16_t));
  *(uint16_t *)CMSG_DATA(cmsg) = size;
  /* Wake up when a frame is due, not up to 50 µs later (the default timer slack of a normal thread). */
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  uint64_t start = now_ns(), end = start + (uint64_t)duration_ms * 1000000ull;
  int turn = 0;
  for (;;) {
    uint64_t now = now_ns();
    if (now >= end) break;
    if (rate > 0) {
      /* Pace: the next batch may leave once its first frame is due. Sleep until then rather than spin: a spinning
       * sender would hold one of the host's cores and make the sink and the forwarder under test wait for the other. */
      uint64_t due = start + (uint64_t)((double)sent * 1e9 / rate);
      if (due > now) {
        struct timespec ts = {(time_t)(due / 1000000000ull), (long)(due % 1000000000ull)};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        continue;
      }
    }
    int n = BATCH;
    if (rate > 0) {
      long due_now = (long)((double)(now - start) * rate / 1e9) + 1 - sent;
      if (due_now < n) n = due_now < 1 ? 1 : (int)due_now;
    }
    uint64_t stamp = now_ns();
    for (int i = 0; i < n; i++) {
      uint64_t seq = sent + i;
      memcpy(frames[i], &seq, 8);
      memcpy(frames[i] + 8, &stamp, 8);
    }
    int done;
    if (segmenting && n > 1) {
      if (n > per_message) n = per_message;
      segmented.msg_iovlen = n;
      done = sendmsg(fds[turn], &segmented, 0) < 0 ? -1 : n;
      if (done < 0 && (errno == EINVAL || errno == EIO || errno == ENOPROTOOPT || errno == EOPNOTSUPP)) segmenting = 0;
    } else {
      done = sendmmsg(fds[turn], msgs, n, 0);
    }
    if (done > 0) sent += done;
    turn = (turn + 1) % pairs;
  }
  sending = 0;
  for (int i = 0; i < pairs; i++) close(fds[i]);
  return NULL;
}

static int compare(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  destination = sink_address = htonl(INADDR_LOOPBACK);
  for (int opt; (opt = getopt(argc, argv, "+n:d:o:s:g")) != -1;) {
    if (opt == 'n') netns = optarg;
    else if (opt == 'd') destination = inet_addr(optarg);
    else if (opt == 'o') offset = atoi(optarg);
    else if (opt == 's') sink_address = inet_addr(optarg);
    else if (opt == 'g') segment_across = 1;
    else return 2;
  }
  argc -= optind - 1;
  argv += optind - 1;
  if (argc < 5 || offset < 0 || offset > 1024) {
    fprintf(stderr, "usage: %s [-n netns -d ipv4 -o offset -s ipv4 -g] size rate_pps duration_ms target:sink[:source]...\n", argv[0]);
    return 2;
  }
  size = atoi(argv[1]);
  rate = atol(argv[2]);
  duration_ms = atol(argv[3]);
  if (size < 16 || size > 65507 || duration_ms <= 0 || duration_ms > 60000) {
    fprintf(stderr, "size must be 16..65507 and duration 1..60000 ms\n");
    return 2;
  }
  for (int i = 4; i < argc && pairs < MAX_PAIRS; i++, pairs++) sscanf(argv[i], "%d:%d:%d", &targets[pairs], &sinks[pairs], &sources[pairs]);
  struct pollfd pfds[MAX_PAIRS];
  for (int i = 0; i < pairs; i++) {
    pfds[i] = (struct pollfd){.fd = udp_socket(sinks[i], 0, sink_address, 0), .events = POLLIN};
  }
  samples = malloc(sizeof(uint64_t) * MAX_SAMPLES);

  pthread_t sender;
  pthread_create(&sender, NULL, send_loop, NULL);

  static char bufs[64][2048];
  struct iovec iov[64];
  struct mmsghdr msgs[64];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < 64; i++) {
    iov[i].iov_base = bufs[i];
    iov[i].iov_len = sizeof bufs[i];
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  /* Stop 300 ms after the sender finished, or once nothing arrived for 300 ms after it finished. */
  uint64_t quiet_since = 0;
  for (;;) {
    int ready = poll(pfds, pairs, 50);
    uint64_t now = now_ns();
    if (ready > 0) {
      for (int i = 0; i < pairs; i++) {
        if (!(pfds[i].revents & POLLIN)) continue;
        int n = recvmmsg(pfds[i].fd, msgs, 64, MSG_DONTWAIT, NULL);
        now = now_ns();
        for (int j = 0; j < n; j++) {
          uint64_t stamp;
          memcpy(&stamp, bufs[j] + offset + 8, 8);
          if (received < MAX_SAMPLES) samples[received] = now - stamp;
          if (!first_rx) first_rx = now;
          last_rx = now;
          received++;
        }
      }
      quiet_since = now;
    }
    if (!sending) {
      if (!quiet_since) quiet_since = now;
      if (now - quiet_since > 300000000ull) break;
    }
  }
  pthread_join(sender, NULL);
  long kept = received < MAX_SAMPLES ? received : MAX_SAMPLES;
  qsort(samples, kept, sizeof(uint64_t), compare);
  double span = last_rx > first_rx ? (last_rx - first_rx) / 1e9 : 1;
  printf("{\"sent\":%ld,\"received\":%ld,\"delivered_pps\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f}\n", sent, received,
         received > 1 ? received / span : 0.0, kept ? samples[kept / 2] / 1e3 : 0.0,
         kept ? samples[(long)(kept * 0.99)] / 1e3 : 0.0);
  return 0;
}
