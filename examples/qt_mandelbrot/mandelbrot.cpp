#include "mandelbrot.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace mandelbrot {
namespace {

// A 64-colour palette cycled by iteration count: plain integer colouring (no logarithms)
// keeps every pixel exact and the screenshot PNG small.
std::uint32_t colour(int iterations, int max_iterations) {
  if (iterations >= max_iterations) return 0xff000000u;  // inside the set: black
  int i = iterations % 64;
  double t = i / 64.0;
  // Bernstein polynomials: dark blue → white → orange → dark blue (a common Mandelbrot ramp).
  auto channel = [](double v) { return static_cast<std::uint32_t>(std::clamp(v, 0.0, 1.0) * 255); };
  std::uint32_t r = channel(9 * (1 - t) * t * t * t);
  std::uint32_t g = channel(15 * (1 - t) * (1 - t) * t * t);
  std::uint32_t b = channel(8.5 * (1 - t) * (1 - t) * (1 - t) * t + 0.15);
  return 0xff000000u | (r << 16) | (g << 8) | b;
}

int escape_time(double cx, double cy, int max_iterations) {
  double x = 0, y = 0;
  int n = 0;
  while (n < max_iterations && x * x + y * y <= 4.0) {
    double xt = x * x - y * y + cx;
    y = 2 * x * y + cy;
    x = xt;
    ++n;
  }
  return n;
}

}  // namespace

std::vector<TileRequest> make_tiles(const View& view, int tile_size, int delay_ms) {
  std::vector<TileRequest> tiles;
  for (int y = 0; y < view.height; y += tile_size)
    for (int x = 0; x < view.width; x += tile_size)
      tiles.push_back({view, x, y, std::min(tile_size, view.width - x),
                       std::min(tile_size, view.height - y), delay_ms});
  return tiles;
}

Tile render_tile(const TileRequest& request) {
  if (request.delay_ms > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(request.delay_ms));
  const View& v = request.view;
  Tile tile{request.x, request.y, request.width, request.height, {}};
  tile.pixels.reserve(static_cast<std::size_t>(request.width) * static_cast<std::size_t>(request.height));
  for (int py = request.y; py < request.y + request.height; ++py) {
    double cy = v.center_y + (py - v.height / 2.0) * v.units_per_pixel;
    for (int px = request.x; px < request.x + request.width; ++px) {
      double cx = v.center_x + (px - v.width / 2.0) * v.units_per_pixel;
      tile.pixels.push_back(colour(escape_time(cx, cy, v.max_iterations), v.max_iterations));
    }
  }
  return tile;
}

Tile render_whole(const View& view) {
  return render_tile({view, 0, 0, view.width, view.height, 0});
}

}  // namespace mandelbrot
