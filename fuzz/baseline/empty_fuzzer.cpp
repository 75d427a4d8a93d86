// Baseline for exec/s measurements (bench/fuzz/decoder_exec_rate.sh): a libFuzzer target that
// only reads its input, built with the same sanitizers and coverage as the real targets. Its
// exec/s is the ceiling of libFuzzer + ASan + UBSan on the machine; it checks nothing.
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < size; ++i)
        sum += data[i];
    volatile std::uint32_t sink = sum;
    (void)sink;
    return 0;
}
