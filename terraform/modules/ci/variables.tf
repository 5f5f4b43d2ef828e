variable "name" {
  type        = string
  description = "Name prefix; the deploy role may manage IAM roles and instance profiles with this prefix only."
}

variable "gitlab_url" {
  type        = string
  description = "Issuer URL of the GitLab instance (https://gitlab.com or a self-managed URL, no trailing slash)."
  default     = "https://gitlab.com"
}

variable "audience" {
  type        = string
  description = "Audience (aud claim) of the GitLab id_token; must match `id_tokens.<name>.aud` in .gitlab-ci.yml."
  default     = "https://gitlab.com"
}

variable "gitlab_project_path" {
  type        = string
  description = "Full path of the GitLab project allowed to assume the deploy role, e.g. \"acme/status-page\"."
}

variable "gitlab_branch" {
  type        = string
  description = "The only branch whose pipelines may assume the deploy role (protect it in GitLab)."
  default     = "main"
}

variable "create_oidc_provider" {
  type        = bool
  description = "Create the GitLab OIDC identity provider; false reuses an existing one (an account holds one per URL)."
  default     = true
}

variable "existing_oidc_provider_arn" {
  type        = string
  description = "ARN of an existing GitLab OIDC provider, used when create_oidc_provider is false."
  default     = ""
}

variable "deploy_policy_arns" {
  type        = list(string)
  description = "Managed policies for the deploy role. PowerUserAccess covers everything Terraform manages except IAM, which gets a prefix-scoped inline policy."
  default     = ["arn:aws:iam::aws:policy/PowerUserAccess"]
}

variable "max_session_duration" {
  type        = number
  description = "Maximum session length of the deploy role in seconds."
  default     = 3600
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}
