// tests/faults_new.cc: C++'s allocation through malloc, for tests/test_faults.c.
// libstdc++'s operator new already calls malloc, so that the test's malloc sees (and can
// fail) Xapian's allocations; under AddressSanitizer ASan's operator new does not, so
// the test links these. A failed malloc becomes std::bad_alloc, as in libstdc++.
#include <cstdlib>
#include <new>

void *operator new(std::size_t n) {
    void *p = std::malloc(n ? n : 1);
    if (!p) throw std::bad_alloc();
    return p;
}
void *operator new[](std::size_t n) { return ::operator new(n); }
void *operator new(std::size_t n, const std::nothrow_t &) noexcept { return std::malloc(n ? n : 1); }
void *operator new[](std::size_t n, const std::nothrow_t &) noexcept { return std::malloc(n ? n : 1); }
void operator delete(void *p) noexcept { std::free(p); }
void operator delete[](void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t) noexcept { std::free(p); }
void operator delete(void *p, const std::nothrow_t &) noexcept { std::free(p); }
void operator delete[](void *p, const std::nothrow_t &) noexcept { std::free(p); }
