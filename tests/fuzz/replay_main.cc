// Replays a fuzz target's inputs without libFuzzer, so the normal and ASan builds check every seed and
// every input that once crashed: `<target>_replay DIR...` feeds each file of each directory (sorted,
// dot-files skipped; a missing directory is an empty one) to LLVMFuzzerTestOneInput. A crash or a
// failed check aborts; finding no input at all fails too, so an emptied corpus cannot pass unnoticed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::vector<std::filesystem::path> inputsOf(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file() && !entry.path().filename().string().starts_with(".")) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    std::size_t here = 0;
    for (const auto& file : inputsOf(argv[i])) {
      std::ifstream in(file, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      // A copy of exactly the input's size, so ASan sees a read past its end as libFuzzer would.
      const std::vector<std::uint8_t> input(bytes.begin(), bytes.end());
      (void)LLVMFuzzerTestOneInput(input.data(), input.size());
      ++here;
    }
    std::printf("%s: %zu inputs\n", argv[i], here);
    replayed += here;
  }
  if (replayed == 0) {
    std::fprintf(stderr, "no input found in the given directories\n");
    return 1;
  }
  return 0;
}
