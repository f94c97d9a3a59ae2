#include "mandelbrot_window.hpp"

#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QMetaObject>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>
#include <cstring>
#include <utility>

namespace {

// Paints the window's image as it is now; tiles repaint only their own rectangle.
class Canvas : public QWidget {
 public:
  Canvas(const QImage& image, QWidget* parent) : QWidget(parent), image_(image) {
    setFixedSize(image.size());
  }

 protected:
  void paintEvent(QPaintEvent* event) override {
    QPainter painter(this);
    painter.drawImage(event->rect(), image_, event->rect());
  }

 private:
  const QImage& image_;
};

}  // namespace

MandelbrotWindow::MandelbrotWindow(mandelbrot::View view, int tile_size, QWidget* parent)
    : QWidget(parent),
      view_(view),
      tile_size_(tile_size),
      image_(view.width, view.height, QImage::Format_RGB32),
      canvas_(new Canvas(image_, this)),
      progress_(new QProgressBar(this)),
      render_(new QPushButton(tr("Render"), this)),
      cancel_(new QPushButton(tr("Cancel"), this)),
      status_(new QLabel(tr("Ready"), this)) {
  setWindowTitle(tr("mproc: Mandelbrot on a process pool"));
  image_.fill(Qt::darkGray);
  cancel_->setEnabled(false);
  progress_->setRange(0, 1);
  progress_->setValue(0);
  auto* controls = new QHBoxLayout;
  controls->addWidget(progress_, 1);
  controls->addWidget(render_);
  controls->addWidget(cancel_);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(canvas_);
  layout->addLayout(controls);
  layout->addWidget(status_);
  connect(render_, &QPushButton::clicked, this, [this] { start_render(); });
  connect(cancel_, &QPushButton::clicked, this, [this] {
    if (job_) job_->cancel();  // returns at once; the job's `done` updates the window
    status_->setText(tr("Cancelling..."));
  });
}

// Stops a render still running: the job's destructor terminates the pool and waits for its
// thread, which joins the workers. Its queued calls to this window are dropped with it.
MandelbrotWindow::~MandelbrotWindow() { job_.reset(); }

void MandelbrotWindow::start_render(int delay_ms) {
  if (job_) return;
  auto tiles = mandelbrot::make_tiles(view_, tile_size_, delay_ms);
  image_.fill(Qt::darkGray);
  canvas_->update();
  progress_->setRange(0, static_cast<int>(tiles.size()));
  progress_->setValue(0);
  render_->setEnabled(false);
  cancel_->setEnabled(true);
  status_->setText(tr("Starting the worker processes..."));
  elapsed_.start();
  // The job's thread only ever posts to the GUI thread and never waits for it, so the GUI
  // thread may block on the job (closeEvent) without a deadlock.
  RenderJob::Callbacks callbacks;
  callbacks.started = [this](std::vector<int> pids) {
    QMetaObject::invokeMethod(this, [this, pids = std::move(pids)] {
      if (!job_) return;
      status_->setText(tr("Rendering on %1 spawned worker processes...").arg(pids.size()));
      if (on_started) on_started(pids);
    }, Qt::QueuedConnection);
  };
  callbacks.tile = [this](mandelbrot::Tile tile) {
    QMetaObject::invokeMethod(this, [this, tile = std::move(tile)] { add_tile(tile); },
                              Qt::QueuedConnection);
  };
  callbacks.done = [this](Outcome outcome, std::string error) {
    QMetaObject::invokeMethod(this, [this, outcome, error = std::move(error)] {
      finish(outcome, error);
    }, Qt::QueuedConnection);
  };
  job_ = std::make_unique<RenderJob>(std::move(tiles), std::move(callbacks));
}

void MandelbrotWindow::add_tile(const mandelbrot::Tile& tile) {
  for (int row = 0; row < tile.height; ++row)
    std::memcpy(image_.scanLine(tile.y + row) + tile.x * 4,
                tile.pixels.data() + static_cast<std::size_t>(row) * tile.width,
                static_cast<std::size_t>(tile.width) * 4);
  canvas_->update(tile.x, tile.y, tile.width, tile.height);
  progress_->setValue(progress_->value() + 1);
}

void MandelbrotWindow::finish(Outcome outcome, const std::string& error) {
  job_.reset();  // its thread has called `done` and is ending: this join is immediate
  render_->setEnabled(true);
  cancel_->setEnabled(false);
  switch (outcome) {
    case Outcome::finished:
      status_->setText(tr("Done: %1 tiles in %2 s")
                           .arg(progress_->maximum())
                           .arg(static_cast<double>(elapsed_.elapsed()) / 1000.0, 0, 'f', 2));
      break;
    case Outcome::cancelled:
      status_->setText(tr("Cancelled"));
      break;
    case Outcome::failed:
      status_->setText(tr("Failed: %1").arg(QString::fromStdString(error)));
      break;
  }
  if (on_finished) on_finished(outcome);
}

// Closing while rendering stops the workers before the window goes: the wait is short (the
// pool kills them), and the app must not exit with its workers still running.
void MandelbrotWindow::closeEvent(QCloseEvent* event) {
  if (job_) {
    job_->cancel();
    job_->wait();
  }
  event->accept();
}
