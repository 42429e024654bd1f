#include "core/copula.h"

#include <cmath>

#include "core/normal.h"

namespace mppmc {

double GaussianCopula::pearson_from_spearman(double r) {
  return 2.0 * std::sin(M_PI * r / 6.0);
}

std::optional<GaussianCopula> GaussianCopula::build(int dimension, const std::vector<std::pair<int, int>>& pairs,
                                                    const std::vector<double>& rank_correlations) {
  GaussianCopula copula;
  copula.correlation_ = Eigen::MatrixXd::Identity(dimension, dimension);
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    const double rho = pearson_from_spearman(rank_correlations[k]);
    copula.correlation_(pairs[k].first, pairs[k].second) = rho;
    copula.correlation_(pairs[k].second, pairs[k].first) = rho;
  }
  Eigen::LLT<Eigen::MatrixXd> llt(copula.correlation_);
  if (llt.info() != Eigen::Success) return std::nullopt;
  copula.cholesky_ = llt.matrixL();
  // LLT succeeds on matrices that are only semi-definite up to rounding; require a clear margin.
  if (copula.cholesky_.diagonal().minCoeff() < 1e-6) return std::nullopt;
  return copula;
}

void GaussianCopula::correlate(double* uniforms) const {
  const int n = dimension();
  Eigen::VectorXd z(n);
  for (int i = 0; i < n; ++i) z(i) = normal_quantile(uniforms[i]);
  const Eigen::VectorXd correlated = cholesky_.triangularView<Eigen::Lower>() * z;
  for (int i = 0; i < n; ++i) uniforms[i] = normal_cdf(correlated(i));
}

}  // namespace mppmc
