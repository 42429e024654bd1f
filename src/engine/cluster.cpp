#include "engine/cluster.h"

#ifdef MPPMC_WITH_MPI
// The C API only: OpenMPI's deprecated C++ bindings would need their own library.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

#include <climits>
#include <sstream>
#include <string>

#include "core/error.h"

namespace mppmc {

#ifdef MPPMC_WITH_MPI

void cluster_start(int* argc, char*** argv) {
  MPI_Init(argc, argv);
}
void cluster_stop() {
  MPI_Finalize();
}

int cluster_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int cluster_size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

namespace {
// Messages in pieces of at most 1 GiB (MPI counts are int).
constexpr std::size_t kPiece = std::size_t{1} << 30;
void send_bytes(const std::vector<char>& data, int to) {
  const auto size = static_cast<std::uint64_t>(data.size());
  MPI_Send(&size, 1, MPI_UINT64_T, to, 0, MPI_COMM_WORLD);
  for (std::size_t at = 0; at < data.size(); at += kPiece)
    MPI_Send(data.data() + at, static_cast<int>(std::min(kPiece, data.size() - at)), MPI_BYTE, to, 1, MPI_COMM_WORLD);
}
std::vector<char> receive_bytes(int from) {
  std::uint64_t size = 0;
  MPI_Recv(&size, 1, MPI_UINT64_T, from, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  std::vector<char> data(size);
  for (std::size_t at = 0; at < data.size(); at += kPiece)
    MPI_Recv(data.data() + at, static_cast<int>(std::min(kPiece, data.size() - at)), MPI_BYTE, from, 1, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
  return data;
}
}  // namespace

std::vector<std::vector<char>> gather_at_root(const std::vector<char>& mine) {
  const int rank = cluster_rank(), size = cluster_size();
  std::vector<std::vector<char>> all;
  if (rank != 0) {
    send_bytes(mine, 0);
    return all;
  }
  all.push_back(mine);
  for (int from = 1; from < size; ++from) all.push_back(receive_bytes(from));
  return all;
}

void broadcast_from_root(double* values, int count) {
  MPI_Bcast(values, count, MPI_DOUBLE, 0, MPI_COMM_WORLD);
}

#else

void cluster_start(int*, char***) {}
void cluster_stop() {}
int cluster_rank() {
  return 0;
}
int cluster_size() {
  return 1;
}
std::vector<std::vector<char>> gather_at_root(const std::vector<char>& mine) {
  return {mine};
}
void broadcast_from_root(double*, int) {}

#endif

void gather_chunks_at_root(std::int64_t chunks, const std::function<void(std::ostream&)>& pack_prefix,
                           const std::function<void(std::int64_t chunk, std::ostream&)>& pack_chunk,
                           const std::function<void(std::istream&)>& unpack_prefix,
                           const std::function<void(std::int64_t chunk, std::istream&)>& unpack_chunk) {
  const int rank = cluster_rank(), ranks = cluster_size();
  if (ranks == 1) return;
  std::ostringstream packed(std::ios::binary);
  pack_prefix(packed);
  for (std::int64_t chunk = rank; chunk < chunks; chunk += ranks) pack_chunk(chunk, packed);
  const std::string bytes = packed.str();
  const std::vector<std::vector<char>> all = gather_at_root(std::vector<char>(bytes.begin(), bytes.end()));
  for (int from = 1; from < static_cast<int>(all.size()); ++from) {
    const std::vector<char>& part = all[static_cast<std::size_t>(from)];
    std::istringstream in(std::string(part.begin(), part.end()), std::ios::binary);
    unpack_prefix(in);
    for (std::int64_t chunk = from; chunk < chunks; chunk += ranks) unpack_chunk(chunk, in);
    MPPMC_CHECK(static_cast<bool>(in));
  }
}

}  // namespace mppmc
