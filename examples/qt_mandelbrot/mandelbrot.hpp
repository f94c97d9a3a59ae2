#pragma once
// The Mandelbrot tile renderer, without Qt: what a pool worker runs (`render_tile`) and what the
// single-process check runs over the whole image, so both compute every pixel the same way.
#include <cstdint>
#include <vector>

namespace mandelbrot {

/// The part of the complex plane shown and how finely.
struct View {
  double center_x = -0.6;
  double center_y = 0.0;
  double units_per_pixel = 3.2 / 640;
  int width = 640;   ///< the whole image, in pixels
  int height = 420;
  int max_iterations = 1000;

  template <class A>
  void serialize(A& a) {
    a(center_x, center_y, units_per_pixel, width, height, max_iterations);
  }
};

/// One rectangle of the image to render (a pool task's argument).
struct TileRequest {
  View view;
  int x = 0, y = 0, width = 0, height = 0;
  int delay_ms = 0;  ///< extra time per tile: makes a render slow enough to cancel, in tests

  template <class A>
  void serialize(A& a) {
    a(view, x, y, width, height, delay_ms);
  }
};

/// A rendered rectangle (a pool task's result): row-major 0xffRRGGBB pixels, which is
/// QImage::Format_RGB32 on every platform Qt supports.
struct Tile {
  int x = 0, y = 0, width = 0, height = 0;
  std::vector<std::uint32_t> pixels;

  template <class A>
  void serialize(A& a) {
    a(x, y, width, height, pixels);
  }
};

/// The image cut into tiles of at most `tile_size` × `tile_size` pixels, row by row.
std::vector<TileRequest> make_tiles(const View& view, int tile_size, int delay_ms = 0);

/// Renders one tile. A pixel depends only on its position in the whole image, never on the
/// tile it falls in, so any tiling gives the same image.
Tile render_tile(const TileRequest& request);

/// The whole image in this process, as one tile (the reference the pool's image must equal).
Tile render_whole(const View& view);

}  // namespace mandelbrot
