data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  issuer_host  = trimprefix(var.gitlab_url, "https://")
  provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.this[0].arn : var.existing_oidc_provider_arn
  iam_prefix   = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}"
}

# No thumbprint_list: IAM verifies gitlab.com (and any IdP whose certificate chains to a public root CA) against its
# own library of trusted root CAs and ignores pinned thumbprints for them; for other IdPs it fetches the thumbprint
# itself when none is given. Pinning one would only break the role on GitLab's next certificate rotation.
resource "aws_iam_openid_connect_provider" "this" {
  count = var.create_oidc_provider ? 1 : 0

  url            = var.gitlab_url
  client_id_list = [var.audience]

  tags = var.tags
}

# Only pipelines of one project on one branch: sub = project_path:<path>:ref_type:branch:ref:<branch>.
data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "GitLabMainBranchOnly"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer_host}:aud"
      values   = [var.audience]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer_host}:sub"
      values   = ["project_path:${var.gitlab_project_path}:ref_type:branch:ref:${var.gitlab_branch}"]
    }
  }
}

# Terraform manages the instance role, its profile and this OIDC provider; nothing outside the project prefix.
data "aws_iam_policy_document" "iam" {
  statement {
    sid = "ManageProjectRoles"
    actions = [
      "iam:AddRoleToInstanceProfile",
      "iam:AttachRolePolicy",
      "iam:CreateInstanceProfile",
      "iam:CreateRole",
      "iam:DeleteInstanceProfile",
      "iam:DeleteRole",
      "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy",
      "iam:GetInstanceProfile",
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole",
      "iam:ListRolePolicies",
      "iam:PutRolePolicy",
      "iam:RemoveRoleFromInstanceProfile",
      "iam:TagInstanceProfile",
      "iam:TagRole",
      "iam:UntagInstanceProfile",
      "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
    ]
    resources = [
      "${local.iam_prefix}:role/${var.name}-*",
      "${local.iam_prefix}:instance-profile/${var.name}-*",
    ]
  }

  statement {
    sid       = "PassInstanceRoleToEc2"
    actions   = ["iam:PassRole"]
    resources = ["${local.iam_prefix}:role/${var.name}-*"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ec2.amazonaws.com"]
    }
  }

  statement {
    sid = "ManageGitLabOidcProvider"
    actions = [
      "iam:AddClientIDToOpenIDConnectProvider",
      "iam:CreateOpenIDConnectProvider",
      "iam:DeleteOpenIDConnectProvider",
      "iam:GetOpenIDConnectProvider",
      "iam:RemoveClientIDFromOpenIDConnectProvider",
      "iam:TagOpenIDConnectProvider",
      "iam:UntagOpenIDConnectProvider",
      "iam:UpdateOpenIDConnectProviderThumbprint",
    ]
    resources = ["${local.iam_prefix}:oidc-provider/${local.issuer_host}"]
  }
}

resource "aws_iam_role" "this" {
  name                 = "${var.name}-gitlab-deploy"
  description          = "Assumed by GitLab CI (${var.gitlab_project_path}, ${var.gitlab_branch}) via OIDC to deploy"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  max_session_duration = var.max_session_duration

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = toset(var.deploy_policy_arns)

  role       = aws_iam_role.this.name
  policy_arn = each.value
}

resource "aws_iam_role_policy" "iam" {
  name   = "project-iam"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.iam.json
}
