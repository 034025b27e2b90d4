// One-off: what building each list row as JSON in C++ would cost next to splicing SQLite's rows.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>
int main(int argc, char** argv) {
  std::ifstream in(argv[1]);
  std::stringstream ss; ss << in.rdbuf();
  auto page = nlohmann::json::parse(ss.str());
  std::vector<std::string> rows;
  for (auto& r : page[argv[2]]) rows.push_back(r.dump());
  const int reps = 200;
  using C = std::chrono::steady_clock;
  auto t0 = C::now(); size_t n = 0;
  for (int k = 0; k < reps; ++k) { std::string body = "{\"x\":["; for (size_t i = 0; i < rows.size(); ++i) { if (i) body += ','; body += rows[i]; } body += "]}"; n += body.size(); }
  auto t1 = C::now();
  for (int k = 0; k < reps; ++k) { nlohmann::json arr = nlohmann::json::array(); for (auto& r : rows) arr.push_back(nlohmann::json::parse(r)); n += nlohmann::json{{"x", arr}}.dump().size(); }
  auto t2 = C::now();
  // Building from typed values (no parse): copy each row's fields into a fresh object, then dump.
  std::vector<nlohmann::json> parsed; for (auto& r : rows) parsed.push_back(nlohmann::json::parse(r));
  auto t3 = C::now();
  for (int k = 0; k < reps; ++k) { nlohmann::json arr = nlohmann::json::array(); for (auto& r : parsed) { nlohmann::json o = nlohmann::json::object(); for (auto& [key, v] : r.items()) o[key] = v; arr.push_back(std::move(o)); } n += nlohmann::json{{"x", arr}}.dump().size(); }
  auto t4 = C::now();
  auto us = [&](auto a, auto b) { return std::chrono::duration<double, std::micro>(b - a).count() / reps; };
  std::printf("rows %zu: splice %.1f us/page, parse+build+dump %.1f us/page, build+dump from values %.1f us/page (%zu)\n", rows.size(), us(t0, t1), us(t1, t2), us(t3, t4), n % 7);
}
