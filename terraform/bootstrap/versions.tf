terraform {
  required_version = ">= 1.5.0"

  # Local state on purpose: this configuration creates the remote state bucket itself. Keep its
  # terraform.tfstate somewhere safe (or migrate it into the bucket afterwards).
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.81, < 6.0"
    }
  }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Project   = var.project
      ManagedBy = "terraform-bootstrap"
    }
  }
}
